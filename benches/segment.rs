//! bench segment (being written).
fn main() {}
