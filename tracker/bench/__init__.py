"""`cramp-journal bench`: how long she waits, measured."""

SIZES = (300, 3_650, 36_500)  # one pregnancy, 10 years, 100 years of nights
