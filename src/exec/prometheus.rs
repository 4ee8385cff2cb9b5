//! Prometheus instant queries (`GET /api/v1/query`): whether an alarm query is in ALARM,
//! and the number a data-point query returns.
//!
//! The answer is read as loose JSON: a missing field, an unexpected type or a value that is
//! not a number becomes an error sentence naming the URL and the query, never a panic.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::Value;

use super::http;

/// One series of an instant vector (or the newest point of a range vector).
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    pub labels: BTreeMap<String, String>,
    pub value: f64,
}

/// What an instant query returned.
#[derive(Clone, Debug, PartialEq)]
pub enum QueryResult {
    /// `vector` (and `matrix`, reduced to each series' newest value).
    Vector(Vec<Sample>),
    Scalar(f64),
    /// A `string` result: not a number; alarms and data points refuse it.
    Text(String),
}

/// `url` is the server's base (`http://host:9090`, or with a path prefix).
pub fn query(url: &str, query: &str, timeout: Duration) -> Result<QueryResult, String> {
    let endpoint = format!("{}/api/v1/query", url.trim_end_matches('/'));
    let answer = http::get(&endpoint, &[("query", query)], timeout, true)?;
    let json: Value = serde_json::from_str(&answer.body).map_err(|_| {
        format!(
            "Prometheus at {url} answered the query `{query}` with HTTP {} and no JSON{}",
            answer.status,
            http::excerpt(&answer.body)
        )
    })?;
    if json.get("status").and_then(Value::as_str) != Some("success") {
        let reason = json
            .get("error")
            .and_then(Value::as_str)
            .unwrap_or("no reason given");
        return Err(format!(
            "Prometheus at {url} refused the query `{query}` (HTTP {}): {reason}",
            answer.status
        ));
    }
    parse_data(json.get("data")).map_err(|what| {
        format!("Prometheus at {url} answered the query `{query}` with an unexpected shape: {what}")
    })
}

fn parse_data(data: Option<&Value>) -> Result<QueryResult, String> {
    let data = data.ok_or("no `data`")?;
    let result = data.get("result").ok_or("no `data.result`")?;
    match data.get("resultType").and_then(Value::as_str) {
        Some("vector") => series(result, "value").map(QueryResult::Vector),
        Some("matrix") => series(result, "values").map(QueryResult::Vector),
        Some("scalar") => point(result).map(QueryResult::Scalar),
        Some("string") => Ok(QueryResult::Text(
            result
                .get(1)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
        )),
        Some(other) => Err(format!("unknown result type `{other}`")),
        None => Err("no `data.resultType`".to_string()),
    }
}

fn series(result: &Value, field: &str) -> Result<Vec<Sample>, String> {
    let list = result.as_array().ok_or("`result` is not a list")?;
    list.iter()
        .map(|item| {
            let labels = item
                .get("metric")
                .and_then(Value::as_object)
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                        .collect()
                })
                .unwrap_or_default();
            let raw = item
                .get(field)
                .ok_or(format!("a series without `{field}`"))?;
            let value = if field == "values" {
                let newest = raw
                    .as_array()
                    .and_then(|points| points.last())
                    .ok_or("a range series without points")?;
                point(newest)?
            } else {
                point(raw)?
            };
            Ok(Sample { labels, value })
        })
        .collect()
}

/// `[<unix time>, "<value>"]`; the value is a string so that NaN and ±Inf survive JSON.
fn point(pair: &Value) -> Result<f64, String> {
    let text = pair
        .get(1)
        .and_then(Value::as_str)
        .ok_or("a point that is not [time, \"value\"]")?;
    text.parse::<f64>()
        .map_err(|_| format!("the value `{text}` is not a number"))
}

/// The series of an alarm query that are in ALARM: those with a non-zero value (NaN
/// included — it is not a healthy zero). A scalar counts as one series.
pub fn alarming(result: &QueryResult) -> Result<Vec<Sample>, String> {
    match result {
        QueryResult::Vector(samples) => {
            Ok(samples.iter().filter(|s| s.value != 0.0).cloned().collect())
        }
        QueryResult::Scalar(v) if *v != 0.0 => Ok(vec![Sample {
            labels: BTreeMap::new(),
            value: *v,
        }]),
        QueryResult::Scalar(_) => Ok(Vec::new()),
        QueryResult::Text(_) => Err("the query returned a string, not series".to_string()),
    }
}

/// The number a data-point query returns: the sum of its vector (0 for an empty one), or
/// its scalar; rounded down, negative values count as 0.
pub fn number(result: &QueryResult) -> Result<u64, String> {
    let value = match result {
        QueryResult::Vector(samples) => samples.iter().map(|s| s.value).sum(),
        QueryResult::Scalar(v) => *v,
        QueryResult::Text(_) => return Err("the query returned a string, not a number".into()),
    };
    if value.is_nan() {
        return Err("the query returned NaN, not a count".to_string());
    }
    // `as` saturates: +Inf becomes u64::MAX, negatives 0.
    Ok(value.floor() as u64)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failing test should panic with the error it got
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: Value) -> Result<QueryResult, String> {
        parse_data(Some(&v))
    }

    #[test]
    fn vectors_scalars_and_matrices() {
        let v = parse(json!({"resultType":"vector","result":[
            {"metric":{"job":"a"},"value":[1.0,"0"]},
            {"metric":{"job":"b"},"value":[1.0,"2.5"]}]}))
        .unwrap();
        assert_eq!(alarming(&v).unwrap().len(), 1);
        assert_eq!(number(&v).unwrap(), 2);
        let s = parse(json!({"resultType":"scalar","result":[1.0,"41.9"]})).unwrap();
        assert_eq!(number(&s).unwrap(), 41);
        assert_eq!(alarming(&s).unwrap().len(), 1);
        let m = parse(json!({"resultType":"matrix","result":[
            {"metric":{},"values":[[1.0,"5"],[2.0,"0"]]}]}))
        .unwrap();
        assert!(alarming(&m).unwrap().is_empty(), "newest point counts");
        let empty = parse(json!({"resultType":"vector","result":[]})).unwrap();
        assert!(alarming(&empty).unwrap().is_empty());
        assert_eq!(number(&empty).unwrap(), 0);
    }

    #[test]
    fn special_values() {
        let nan = parse(json!({"resultType":"scalar","result":[1.0,"NaN"]})).unwrap();
        assert_eq!(alarming(&nan).unwrap().len(), 1);
        assert!(number(&nan).is_err());
        let inf = parse(json!({"resultType":"scalar","result":[1.0,"+Inf"]})).unwrap();
        assert_eq!(number(&inf).unwrap(), u64::MAX);
        let neg = parse(json!({"resultType":"scalar","result":[1.0,"-3"]})).unwrap();
        assert_eq!(number(&neg).unwrap(), 0);
    }

    #[test]
    fn bad_shapes_are_errors_not_panics() {
        for bad in [
            json!(null),
            json!({}),
            json!({"resultType":"vector"}),
            json!({"resultType":"vector","result":{}}),
            json!({"resultType":"vector","result":[{"metric":{}}]}),
            json!({"resultType":"vector","result":[{"value":"x"}]}),
            json!({"resultType":"vector","result":[{"value":[1,"many"]}]}),
            json!({"resultType":"matrix","result":[{"values":[]}]}),
            json!({"resultType":"scalar","result":[1]}),
            json!({"resultType":"histogram","result":[]}),
        ] {
            assert!(parse(bad.clone()).is_err(), "{bad}");
        }
        let text = parse(json!({"resultType":"string","result":[1,"hi"]})).unwrap();
        assert!(alarming(&text).is_err());
        assert!(number(&text).is_err());
    }
}
