# The one display format of dates (see somu/formats/__init__.py).
DATE_FORMAT = "Y-m-d (D)"
SHORT_DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
