# Officers read counts in thousands (1,234 人), as the provincial statistics do; Django's own
# zh_Hans formats group by ten thousand with no separator. The rest comes from Django's.
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
