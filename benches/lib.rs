//! Empty: the benches of this package are its `[[bench]]` targets (see Cargo.toml).
