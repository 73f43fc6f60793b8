"""`cramp-journal bench`: how long she waits, measured."""

SIZES = (300, 3_650, 36_500)  # one pregnancy, 10 years, 100 years of nights
SOAK_MIN_SAVES = 20  # the memory soak's warm-up is 10 saves: at least 10 more after it
