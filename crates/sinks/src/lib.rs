//! sinks (being written).
