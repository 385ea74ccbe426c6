# Vietnamese number and date formats. Django's own "vi" locale does not group thousands, so
# "1736" would show where a Vietnamese reader expects "1.736". USE_THOUSAND_SEPARATOR stays off
# (it would also group ids in URLs); templates group with |intcomma.
DATE_FORMAT = "d/m/Y"
SHORT_DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "H:i d/m/Y"
SHORT_DATETIME_FORMAT = "H:i d/m/Y"
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
