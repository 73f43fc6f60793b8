"""`cramp-journal bench`: how long she waits, measured."""
