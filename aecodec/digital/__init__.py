"""The digital chain deep JSCC is measured against: source codec -> 5G LDPC -> QAM -> channel."""
