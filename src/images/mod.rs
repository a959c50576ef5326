//! (being written)

pub mod embedded;
