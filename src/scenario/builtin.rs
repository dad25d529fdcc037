//! The built-in scenarios: the paper's regimes, embedded in the binary so that
//! `cadre-sim run optimized_path` works from any folder. Their text lives in `scenarios/`.

/// (name, TOML text), in the order `cadre-sim scenarios` lists them.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "strict_accountability",
        include_str!("../../scenarios/strict_accountability.toml"),
    ),
    (
        "nominal_tolerance",
        include_str!("../../scenarios/nominal_tolerance.toml"),
    ),
    (
        "o1_top_level_design",
        include_str!("../../scenarios/o1_top_level_design.toml"),
    ),
    (
        "o2_top_leader",
        include_str!("../../scenarios/o2_top_leader.toml"),
    ),
    (
        "o3_openness",
        include_str!("../../scenarios/o3_openness.toml"),
    ),
    (
        "o4_tolerance_with_correction",
        include_str!("../../scenarios/o4_tolerance_with_correction.toml"),
    ),
    (
        "o5_legalization",
        include_str!("../../scenarios/o5_legalization.toml"),
    ),
    (
        "optimized_path",
        include_str!("../../scenarios/optimized_path.toml"),
    ),
    (
        "lax_tolerance",
        include_str!("../../scenarios/lax_tolerance.toml"),
    ),
    (
        "mechanism_introduced",
        include_str!("../../scenarios/mechanism_introduced.toml"),
    ),
];

/// The names of the built-in scenarios.
pub fn names() -> impl Iterator<Item = &'static str> {
    BUILTIN.iter().map(|(name, _)| *name)
}
