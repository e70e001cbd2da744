"""Rule-assisted extraction of dates, quantities and casualties from French news text."""
