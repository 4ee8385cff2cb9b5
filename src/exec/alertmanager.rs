//! Alertmanager (`GET /api/v2/alerts`): the active alerts with a given name and labels.
//!
//! The server filters with `filter` matchers and `active=true`; silenced and inhibited
//! alerts are left out, since a person silenced them on purpose. The answer is checked
//! again on this side (name, labels, state), so a server that ignores a parameter cannot
//! make a quiet alarm look firing, and loose JSON never panics.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::Value;

use super::http;

/// One firing alert, as far as captain cares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alert {
    pub labels: BTreeMap<String, String>,
    /// `active` or `unprocessed` (received, not yet routed — firing all the same).
    pub state: String,
}

/// A label matcher for the `filter` parameter: `name="value"` with `\` and `"` escaped.
fn matcher(name: &str, value: &str) -> String {
    let escaped = value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n");
    format!("{name}=\"{escaped}\"")
}

/// The firing, unsilenced, uninhibited alerts named `alertname` that carry every label of
/// `labels` with the same value. `url` is the server's base (`http://host:9093`).
pub fn firing_alerts(
    url: &str,
    alertname: &str,
    labels: &BTreeMap<String, String>,
    timeout: Duration,
) -> Result<Vec<Alert>, String> {
    let endpoint = format!("{}/api/v2/alerts", url.trim_end_matches('/'));
    let mut filters = vec![matcher("alertname", alertname)];
    filters.extend(labels.iter().map(|(k, v)| matcher(k, v)));
    let mut query: Vec<(&str, &str)> = vec![
        ("active", "true"),
        ("silenced", "false"),
        ("inhibited", "false"),
    ];
    query.extend(filters.iter().map(|f| ("filter", f.as_str())));
    let answer = http::get(&endpoint, &query, timeout, true)?;
    if answer.status != 200 {
        return Err(format!(
            "Alertmanager at {url} answered HTTP {} for alerts named `{alertname}`{}",
            answer.status,
            http::excerpt(&answer.body)
        ));
    }
    let json: Value = serde_json::from_str(&answer.body).map_err(|_| {
        format!(
            "Alertmanager at {url} answered with no JSON for alerts named `{alertname}`{}",
            http::excerpt(&answer.body)
        )
    })?;
    let list = json.as_array().ok_or_else(|| {
        format!("Alertmanager at {url} answered with something other than a list of alerts")
    })?;
    Ok(list
        .iter()
        .filter_map(parse_alert)
        .filter(|alert| {
            alert.labels.get("alertname").map(String::as_str) == Some(alertname)
                && labels.iter().all(|(k, v)| alert.labels.get(k) == Some(v))
                && alert.state != "suppressed"
        })
        .collect())
}

/// An alert with its labels and state; entries of another shape are skipped.
fn parse_alert(item: &Value) -> Option<Alert> {
    let labels = item
        .get("labels")?
        .as_object()?
        .iter()
        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
        .collect();
    let state = item
        .get("status")
        .and_then(|s| s.get("state"))
        .and_then(Value::as_str)
        .unwrap_or("active")
        .to_string();
    Some(Alert { labels, state })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failing test should panic with the error it got
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn matchers_escape_quotes_and_backslashes() {
        assert_eq!(matcher("alertname", "High"), "alertname=\"High\"");
        assert_eq!(matcher("x", "a\"b\\c"), "x=\"a\\\"b\\\\c\"");
    }

    #[test]
    fn odd_entries_are_skipped() {
        assert_eq!(parse_alert(&json!(3)), None);
        assert_eq!(parse_alert(&json!({"labels": []})), None);
        let alert = parse_alert(&json!({"labels": {"alertname": "A", "n": 1}})).unwrap();
        assert_eq!(alert.labels.len(), 1);
        assert_eq!(alert.state, "active");
    }
}
