"""Printing the official forms (BM1-BM4, the principal's forms) as PDF and as xlsx.

:mod:`.forms` builds each form once as data (:mod:`.layout`); :mod:`.pdf` and :mod:`.xlsx`
render that data, so the two formats always carry the same content in the same layout.
"""
