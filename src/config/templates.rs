//! Starter `pipeline.toml` files for `captain init`. The CLI chooses one (by prompt or flag)
//! and writes its text, with the repository's trunk branch; this module only holds them. A
//! test checks that each validates.

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

/// The trunk line every template carries, which [`Template::text_for_trunk`] replaces.
const TRUNK_LINE: &str = "trunk = \"main\"";

impl Template {
    /// The template's text with `trunk` as the pipeline's trunk branch (`captain init`
    /// writes the repository's own default branch; the templates say `main`).
    pub fn text_for_trunk(&self, trunk: &str) -> String {
        let line = format!("trunk = {}", toml::Value::String(trunk.to_string()));
        self.text.replacen(TRUNK_LINE, &line, 1)
    }
}

/// Every starter, the default first.
pub fn templates() -> &'static [Template] {
    TEMPLATES
}

/// The starter called `name`.
pub fn template(name: &str) -> Option<&'static Template> {
    TEMPLATES.iter().find(|t| t.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_names_its_trunk_once_and_takes_another() {
        for t in templates() {
            assert_eq!(t.text.matches(TRUNK_LINE).count(), 1, "{}", t.name);
            let text = t.text_for_trunk("release/\"2026\"");
            let pipeline = crate::config::validate_text(&text, std::path::Path::new("p.toml"))
                .unwrap_or_else(|d| panic!("{}: {d:?}", t.name));
            assert_eq!(pipeline.trunk, "release/\"2026\"");
        }
    }
}
