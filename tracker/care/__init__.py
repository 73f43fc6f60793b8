"""What pregnancy and the warning signs mean: gestational weeks, red flags, whom to call."""
