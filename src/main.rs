//! The newsflow command line (being written).
fn main() {}
