//! The audit event model: `audit.k8s.io/v1` and `v1beta1` `Event`s, typed,
//! borrowing from the line they were parsed from. The request body and the
//! annotations stay raw JSON until a detector asks for them, so an event no
//! rule looks into costs one pass of the parser and no tree.

use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;

/// One audit event. Strings borrow from the input unless they contain escapes.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event<'a> {
    #[serde(borrow, default)]
    pub kind: Cow<'a, str>,
    #[serde(borrow, default)]
    pub api_version: Cow<'a, str>,
    #[serde(borrow, default)]
    pub level: Cow<'a, str>,
    #[serde(borrow, default, rename = "auditID")]
    pub audit_id: Cow<'a, str>,
    #[serde(borrow, default)]
    pub stage: Cow<'a, str>,
    #[serde(borrow, default, rename = "requestURI")]
    pub request_uri: Cow<'a, str>,
    #[serde(borrow, default)]
    pub verb: Cow<'a, str>,
    #[serde(borrow, default)]
    pub user: UserInfo<'a>,
    #[serde(borrow, default)]
    pub impersonated_user: Option<UserInfo<'a>>,
    #[serde(borrow, default, rename = "sourceIPs")]
    pub source_ips: Vec<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub user_agent: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub object_ref: Option<ObjectRef<'a>>,
    #[serde(borrow, default)]
    pub response_status: Option<Status<'a>>,
    #[serde(borrow, default)]
    pub request_object: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub annotations: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub request_received_timestamp: Cow<'a, str>,
    #[serde(borrow, default)]
    pub stage_timestamp: Cow<'a, str>,
    /// v1beta1 events carry `timestamp`.
    #[serde(borrow, default)]
    pub timestamp: Cow<'a, str>,
    /// Set on an `EventList` (the webhook's batch format).
    #[serde(borrow, default)]
    pub items: Option<Vec<&'a RawValue>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct UserInfo<'a> {
    #[serde(borrow, default)]
    pub username: Cow<'a, str>,
    #[serde(borrow, default)]
    pub groups: Vec<Cow<'a, str>>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectRef<'a> {
    #[serde(borrow, default)]
    pub resource: Cow<'a, str>,
    #[serde(borrow, default)]
    pub namespace: Cow<'a, str>,
    #[serde(borrow, default)]
    pub name: Cow<'a, str>,
    #[serde(borrow, default)]
    pub subresource: Cow<'a, str>,
    #[serde(borrow, default)]
    pub api_group: Cow<'a, str>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Status<'a> {
    #[serde(default)]
    pub code: Option<i64>,
    #[serde(borrow, default)]
    pub reason: Cow<'a, str>,
}

/// Why a JSON value is not an audit event.
pub fn recognise(event: &Event<'_>) -> Result<(), String> {
    let api_ok = event.api_version.is_empty() || event.api_version.starts_with("audit.k8s.io/");
    match event.kind.as_ref() {
        "Event" if api_ok => Ok(()),
        "EventList" if api_ok => Ok(()),
        "" if !event.audit_id.is_empty() && !event.verb.is_empty() => Ok(()),
        "" => Err("data not recognized as a k8s audit event (no kind, auditID or verb)".into()),
        other => Err(format!(
            "data not recognized as a k8s audit event (kind `{other}`, apiVersion `{}`)",
            event.api_version
        )),
    }
}

const EMPTY_REF: ObjectRef<'static> = ObjectRef {
    resource: Cow::Borrowed(""),
    namespace: Cow::Borrowed(""),
    name: Cow::Borrowed(""),
    subresource: Cow::Borrowed(""),
    api_group: Cow::Borrowed(""),
};

impl<'a> Event<'a> {
    pub fn object(&self) -> &ObjectRef<'a> {
        self.object_ref.as_ref().unwrap_or(&EMPTY_REF)
    }
    pub fn resource(&self) -> &str {
        &self.object().resource
    }
    pub fn subresource(&self) -> &str {
        &self.object().subresource
    }
    pub fn namespace(&self) -> &str {
        &self.object().namespace
    }
    /// The object's name; for a create, from the request body when the URL has none.
    pub fn name(&self) -> &str {
        &self.object().name
    }
    pub fn username(&self) -> &str {
        &self.user.username
    }
    pub fn code(&self) -> Option<i64> {
        self.response_status.as_ref().and_then(|s| s.code)
    }
    /// `2xx`: the request succeeded.
    pub fn succeeded(&self) -> bool {
        self.code().is_some_and(|c| (200..300).contains(&c))
    }
    pub fn complete(&self) -> bool {
        self.stage == "ResponseComplete"
    }
    /// The time the event describes: stage, then request received, then the v1beta1 timestamp.
    pub fn time(&self) -> &str {
        [&self.stage_timestamp, &self.request_received_timestamp, &self.timestamp]
            .into_iter()
            .find(|t| !t.is_empty())
            .map_or("", |t| t.as_ref())
    }
    /// Microseconds since the epoch, when the time parses.
    pub fn micros(&self) -> Option<i64> {
        parse_rfc3339_micros(self.time())
    }
    pub fn is_create(&self) -> bool {
        self.verb == "create"
    }
    /// The service account behind the request: `(namespace, name)`.
    pub fn service_account(&self) -> Option<(&str, &str)> {
        service_account_of(self.username())
    }
    /// The request body as a JSON tree (parsed on demand).
    pub fn request(&self) -> Option<serde_json::Value> {
        self.request_object.and_then(|raw| serde_json::from_str(raw.get()).ok())
    }
    /// One annotation (`authorization.k8s.io/decision`).
    pub fn annotation(&self, key: &str) -> Option<String> {
        let raw = self.annotations?;
        let map: std::collections::HashMap<Cow<'_, str>, Cow<'_, str>> = serde_json::from_str(raw.get()).ok()?;
        map.get(key).map(|v| v.to_string())
    }
}

/// `system:serviceaccount:NS:NAME` → `(NS, NAME)`.
pub fn service_account_of(user: &str) -> Option<(&str, &str)> {
    let rest = user.strip_prefix("system:serviceaccount:")?;
    let (ns, name) = rest.split_once(':')?;
    (!ns.is_empty() && !name.is_empty()).then_some((ns, name))
}

/// `2024-05-01T10:00:00.123456Z` or with an offset → microseconds since the epoch.
pub fn parse_rfc3339_micros(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || (b[10] != b'T' && b[10] != b't' && b[10] != b' ') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let mut v = 0i64;
        for &c in b.get(r)? {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + i64::from(c - b'0');
        }
        Some(v)
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, min, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || min > 59 || sec > 60 {
        return None;
    }
    let mut i = 19;
    let mut micros = 0i64;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let mut digits = 0;
        while let Some(c) = b.get(i).filter(|c| c.is_ascii_digit()) {
            if digits < 6 {
                micros = micros * 10 + i64::from(c - b'0');
                digits += 1;
            }
            i += 1;
        }
        while digits < 6 {
            micros *= 10;
            digits += 1;
        }
    }
    let offset_secs = match b.get(i) {
        Some(b'Z' | b'z') => 0,
        Some(&sign @ (b'+' | b'-')) => {
            let h = num(i + 1..i + 3)?;
            let m = num(i + 4..i + 6)?;
            let o = h * 3600 + m * 60;
            if sign == b'+' {
                o
            } else {
                -o
            }
        }
        _ => return None,
    };
    // Days from civil (Howard Hinnant).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + hour * 3600 + min * 60 + sec - offset_secs;
    Some(secs * 1_000_000 + micros)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse() {
        assert_eq!(parse_rfc3339_micros("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339_micros("1970-01-01T00:00:01.5Z"), Some(1_500_000));
        assert_eq!(parse_rfc3339_micros("2018-10-25T14:09:12Z"), Some(1_540_476_552_000_000));
        assert_eq!(parse_rfc3339_micros("2018-10-25T16:09:12+02:00"), Some(1_540_476_552_000_000));
        assert_eq!(parse_rfc3339_micros("garbage"), None);
        assert_eq!(parse_rfc3339_micros("2018-13-25T14:09:12Z"), None);
        assert_eq!(parse_rfc3339_micros("2018-10-25T14:09:12.123456789"), None);
    }

    #[test]
    fn borrowed_event_parses_and_is_recognised() {
        let line = r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"a","stage":"ResponseComplete","verb":"get","user":{"username":"system:serviceaccount:ns:sa","groups":["g"]},"objectRef":{"resource":"secrets","namespace":"ns","name":"s"},"responseStatus":{"code":200},"annotations":{"authorization.k8s.io/decision":"allow"},"stageTimestamp":"2024-01-01T00:00:00.000001Z"}"#;
        let e: Event = serde_json::from_str(line).unwrap();
        assert!(recognise(&e).is_ok());
        assert!(matches!(e.user.username, Cow::Borrowed(_)));
        assert_eq!(e.service_account(), Some(("ns", "sa")));
        assert_eq!(e.annotation("authorization.k8s.io/decision").as_deref(), Some("allow"));
        assert!(e.succeeded() && e.complete());
        assert_eq!(e.micros(), Some(1_704_067_200_000_001));
        let not: Event = serde_json::from_str(r#"{"kind":"Pod"}"#).unwrap();
        assert!(recognise(&not).is_err());
        assert!(serde_json::from_str::<Event>(r#"{"kind":0}"#).is_err());
    }
}
