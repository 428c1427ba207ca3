//! Unit tests of the tagger as a whole (the trained model, rules and patterns together).
