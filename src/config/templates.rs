//! Starter `pipeline.toml` files for `captain init`. The CLI chooses one (by prompt or flag)
//! and writes its text; this module only holds them. A test checks that each validates.

/// A starter pipeline file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Template {
    pub name: &'static str,
    pub description: &'static str,
    pub text: &'static str,
}

const TEMPLATES: &[Template] = &[
    Template {
        name: "minimal",
        description: "one pre-production stage and one production stage, deployed by a script",
        text: include_str!("templates/minimal.toml"),
    },
    Template {
        name: "waves",
        description: "alpha, beta, gamma, then 26 regions in 5 waves of 3 AZs with one-box environments",
        text: include_str!("../../pipeline.example.toml"),
    },
];

/// Every starter, the default first.
pub fn templates() -> &'static [Template] {
    TEMPLATES
}

/// The starter called `name`.
pub fn template(name: &str) -> Option<&'static Template> {
    TEMPLATES.iter().find(|t| t.name == name)
}
