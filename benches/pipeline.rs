//! bench pipeline (being written).
fn main() {}
