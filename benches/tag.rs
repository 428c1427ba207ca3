//! bench tag (being written).
fn main() {}
