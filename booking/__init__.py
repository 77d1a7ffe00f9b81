"""Room booking and conference logistics for Universitatea Politehnica Timișoara."""
