"""What staff see: the pledge register, the concerns queue, and (later) exports."""
