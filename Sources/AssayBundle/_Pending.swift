// Replaced by the archive wrapper.
