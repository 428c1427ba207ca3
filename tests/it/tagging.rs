//! The tagger through the binary (being written by the tagging work).
