"""(issue 13; decision 0019)"""
