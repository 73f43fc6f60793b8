"""What the nights show: tallies, comparisons, experiments' results, trends, charts, words."""
