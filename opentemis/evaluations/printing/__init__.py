"""Printing the official forms (BM1-BM4, the principal's forms) as PDF and as xlsx.

:mod:`.official_forms` builds each official form once as data (:mod:`.layout`; these are the
forms of the circulars, not Django forms); :mod:`.pdf` and :mod:`.xlsx` render that data, so
the two formats always carry the same content in the same layout.
"""
