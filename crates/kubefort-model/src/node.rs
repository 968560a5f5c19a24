//! A YAML/JSON tree in which every node remembers where it was written.

pub use compact_str::CompactString;
use std::fmt;

/// A position in a source file: 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

impl Pos {
    pub const fn new(line: u32, column: u32) -> Self {
        Self { line, column }
    }
}

/// One node of a parsed document. `pos` is where its value starts; for a map
/// entry the key's own position is kept beside it in [`Map`].
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// Text. Strings of up to 24 bytes (names, labels, most values of a
    /// manifest) are stored in place, without a heap allocation. Build one
    /// with `.into()` from a `&str` or a `String`; read it as a `&str`
    /// (it derefs to `str`, or use [`Node::as_str`]).
    String(CompactString),
    /// A finished tree never grows, so its lists and maps are boxed slices:
    /// two words instead of a vector's three, which lets a `Value` share the
    /// string's 24 bytes (a `Node` is 32 bytes, a map entry 56: a 100,000-object
    /// dump holds ten million of them).
    Seq(Box<[Node]>),
    Map(Map),
}

/// A mapping that keeps its keys in source order with their positions.
/// Kubernetes objects have small maps, so a vector beats a hash map here.
/// Built whole ([`Map::from_distinct`], [`MapBuilder`]); see [`Value::Seq`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Map {
    entries: Box<[(Key, Pos, Node)]>,
}

/// A [`Map`] being built entry by entry (by the reference YAML path).
#[derive(Debug, Default)]
pub struct MapBuilder {
    entries: Vec<(Key, Pos, Node)>,
}

/// A map key, 16 bytes (a map entry of a large dump is 64 bytes, not 72).
/// Almost every key of a Kubernetes object is short (`metadata`, `image`)
/// and is stored in place, up to [`Key::INLINE`] bytes; the longer ones are
/// nearly all well-known field names and label keys (`securityContext`,
/// `app.kubernetes.io/name`), stored as an index into [`KNOWN_KEYS`]. Only
/// other long keys are allocated.
#[derive(Clone)]
pub struct Key(KeyRepr);

// Every text has exactly one representation (short: inline, zero-padded;
// long and well-known: `Known`; else `Heap`), so the derived equality is
// text equality, without building byte slices first.
#[derive(Clone, PartialEq, Eq)]
enum KeyRepr {
    Inline { len: u8, bytes: [u8; Key::INLINE] },
    Known(u16),
    // Boxed twice so that the key stays 16 bytes (a `Box<str>` is two words).
    Heap(Box<Box<str>>),
}

/// Keys longer than [`Key::INLINE`] bytes that Kubernetes objects use
/// often: API field names, well-known labels and annotations. (Counted on
/// the shared corpus and a synthetic cluster dump; any other key still
/// works, it is just allocated.)
const KNOWN_KEYS: &[&str] = &[
    "activeDeadlineSeconds",
    "allowPrivilegeEscalation",
    "allowedCapabilities",
    "app.kubernetes.io/component",
    "app.kubernetes.io/instance",
    "app.kubernetes.io/managed-by",
    "app.kubernetes.io/name",
    "app.kubernetes.io/part-of",
    "app.kubernetes.io/version",
    "appArmorProfile",
    "automountServiceAccountToken",
    "availableReplicas",
    "blockOwnerDeletion",
    "concurrencyPolicy",
    "configMapKeyRef",
    "containerStatuses",
    "creationTimestamp",
    "currentNumberScheduled",
    "currentReplicas",
    "currentRevision",
    "deletionGracePeriodSeconds",
    "deletionTimestamp",
    "deployment.kubernetes.io/desired-replicas",
    "deployment.kubernetes.io/max-replicas",
    "deployment.kubernetes.io/revision",
    "desiredNumberScheduled",
    "enableServiceLinks",
    "ephemeralContainers",
    "expirationSeconds",
    "externalTrafficPolicy",
    "failedJobsHistoryLimit",
    "failureThreshold",
    "fsGroupChangePolicy",
    "fullyLabeledReplicas",
    "imagePullPolicy",
    "imagePullSecrets",
    "initContainerStatuses",
    "initialDelaySeconds",
    "internalTrafficPolicy",
    "kubectl.kubernetes.io/last-applied-configuration",
    "kubefort.io/ignore",
    "kubernetes.io/description",
    "kubernetes.io/hostname",
    "kubernetes.io/metadata.name",
    "kubernetes.io/os",
    "lastScheduleTime",
    "lastSuccessfulTime",
    "lastTransitionTime",
    "matchExpressions",
    "minReadySeconds",
    "namespaceSelector",
    "nonResourceURLs",
    "numberAvailable",
    "numberMisscheduled",
    "observedGeneration",
    "ownerReferences",
    "persistentVolumeClaim",
    "persistentVolumeClaimRetentionPolicy",
    "pod-template-hash",
    "podAntiAffinity",
    "podManagementPolicy",
    "podReplacementPolicy",
    "preemptionPolicy",
    "preferredDuringSchedulingIgnoredDuringExecution",
    "priorityClassName",
    "progressDeadlineSeconds",
    "prometheus.io/path",
    "prometheus.io/port",
    "prometheus.io/scrape",
    "readOnlyRootFilesystem",
    "requiredDuringSchedulingIgnoredDuringExecution",
    "resourceVersion",
    "revisionHistoryLimit",
    "securityContext",
    "serviceAccountName",
    "serviceAccountToken",
    "sessionAffinity",
    "shareProcessNamespace",
    "startingDeadlineSeconds",
    "storageClassName",
    "successThreshold",
    "successfulJobsHistoryLimit",
    "supplementalGroups",
    "terminationGracePeriodSeconds",
    "terminationMessagePath",
    "terminationMessagePolicy",
    "tolerationSeconds",
    "topology.kubernetes.io/zone",
    "topologySpreadConstraints",
    "ttlSecondsAfterFinished",
    "updatedNumberScheduled",
    "updatedReplicas",
    "volumeClaimTemplates",
    "whenUnsatisfiable",
];

/// `b` (at most [`Key::INLINE`] bytes) zero-padded, assembled in registers
/// from overlapping fixed-size loads: a variable-length copy into the array
/// (a `memcpy` call) followed by word-sized reads of it stalled the parser
/// on store forwarding at every key.
#[inline(always)]
fn padded(b: &[u8]) -> [u8; Key::INLINE] {
    let n = b.len();
    let u64_at = |at: usize| b.get(at..at + 8).and_then(|s| <[u8; 8]>::try_from(s).ok()).map_or(0, u64::from_le_bytes);
    let u32_at = |at: usize| {
        b.get(at..at + 4).and_then(|s| <[u8; 4]>::try_from(s).ok()).map_or(0, |w| u64::from(u32::from_le_bytes(w)))
    };
    let byte_at = |at: usize| b.get(at).map_or(0, |&c| u64::from(c));
    // Each pair of loads overlaps on bytes that are equal in both, so OR
    // puts every byte at its place.
    let (lo, hi) = match n {
        0 => (0, 0),
        1..=3 => (byte_at(0) | byte_at(n / 2) << (8 * (n / 2)) | byte_at(n - 1) << (8 * (n - 1)), 0),
        4..=7 => (u32_at(0) | u32_at(n - 4) << (8 * (n - 4)), 0),
        8 => (u64_at(0), 0),
        _ => (u64_at(0), u64_at(n - 8) >> (8 * (16 - n.min(Key::INLINE)))),
    };
    let all = (u128::from(hi) << 64 | u128::from(lo)).to_le_bytes();
    let mut out = [0u8; Key::INLINE];
    out.copy_from_slice(&all[..Key::INLINE]);
    out
}

/// Open-addressing table of [`KNOWN_KEYS`] indices (`u8::MAX`: empty),
/// built at compile time. A key is looked up by hashing four of its bytes
/// and its length, then comparing one or two candidates: cheaper than
/// hashing the whole key (SipHash) or a binary search of string compares.
/// Hand-written because no crate builds a perfect-hash table for a handful
/// of static strings without a build script or a proc macro.
const KNOWN_TABLE: [u8; 256] = {
    assert!(KNOWN_KEYS.len() < 128, "keep the table at most half full");
    let mut table = [u8::MAX; 256];
    let mut i = 0;
    while i < KNOWN_KEYS.len() {
        let mut slot = known_hash(KNOWN_KEYS[i].as_bytes());
        while table[slot] != u8::MAX {
            slot = (slot + 1) % 256;
        }
        table[slot] = i as u8;
        i += 1;
    }
    table
};

/// The table slot of a key longer than [`Key::INLINE`] bytes.
const fn known_hash(b: &[u8]) -> usize {
    let n = b.len();
    let mixed =
        (n as u64) | (b[0] as u64) << 8 | (b[n / 2] as u64) << 16 | (b[n - 2] as u64) << 24 | (b[n - 1] as u64) << 32;
    (mixed.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as usize
}

/// The index of a well-known long key.
fn known_key(text: &str) -> Option<u16> {
    if text.len() <= Key::INLINE {
        return None; // every known key is longer (see the tests)
    }
    let mut slot = known_hash(text.as_bytes());
    loop {
        let i = *KNOWN_TABLE.get(slot)?;
        let known = KNOWN_KEYS.get(i as usize)?; // `None` at an empty slot
        if known.as_bytes() == text.as_bytes() {
            return Some(i as u16);
        }
        slot = (slot + 1) % KNOWN_TABLE.len();
    }
}

impl Key {
    pub const INLINE: usize = 14;

    // The short case inlined into the parser (a plain `#[inline]` was not
    // taken): the key is built in place rather than returned through memory.
    #[inline(always)]
    pub fn new(text: &str) -> Key {
        if text.len() <= Self::INLINE {
            Key(KeyRepr::Inline { len: text.len() as u8, bytes: padded(text.as_bytes()) })
        } else {
            Self::new_long(text)
        }
    }
    fn new_long(text: &str) -> Key {
        match known_key(text) {
            Some(i) => Key(KeyRepr::Known(i)),
            None => Key(KeyRepr::Heap(Box::new(text.into()))),
        }
    }
    pub fn as_str(&self) -> &str {
        match &self.0 {
            // Only ever filled from a whole `&str` in `Key::new`, so this never fails.
            KeyRepr::Inline { len, bytes } => std::str::from_utf8(&bytes[..*len as usize]).unwrap_or_default(),
            KeyRepr::Known(i) => KNOWN_KEYS.get(*i as usize).copied().unwrap_or_default(),
            KeyRepr::Heap(s) => s,
        }
    }
    /// The key's bytes; lookups compare these (no UTF-8 check needed).
    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            KeyRepr::Inline { len, bytes } => &bytes[..*len as usize],
            KeyRepr::Known(_) => self.as_str().as_bytes(),
            KeyRepr::Heap(s) => s.as_bytes(),
        }
    }
}

impl From<&str> for Key {
    fn from(text: &str) -> Key {
        Key::new(text)
    }
}
impl From<String> for Key {
    fn from(text: String) -> Key {
        if text.len() <= Self::INLINE || known_key(&text).is_some() {
            Key::new(&text)
        } else {
            Key(KeyRepr::Heap(Box::new(text.into_boxed_str())))
        }
    }
}
impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        self.0 == other.0
    }
}
impl PartialEq<str> for Key {
    fn eq(&self, other: &str) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}
impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}
impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The index of `key` among a map's entries. Every rule's lookups come
/// through here: a short key is compared in its stored form (two words,
/// where comparing texts calls `memcmp` once per entry).
fn position(entries: &[(Key, Pos, Node)], key: &str) -> Option<usize> {
    if key.len() <= Key::INLINE {
        let probe = Key::new(key);
        entries.iter().position(|(k, _, _)| *k == probe)
    } else {
        entries.iter().position(|(k, _, _)| k == key)
    }
}

/// Replaces the value of `key` in place, or appends the entry. Returns the
/// earlier key's position when there was one.
fn insert_entry(entries: &mut Vec<(Key, Pos, Node)>, key: Key, key_pos: Pos, value: Node) -> Option<Pos> {
    if let Some(slot) = entries.iter_mut().find(|(k, _, _)| *k == key) {
        let previous = slot.1;
        slot.1 = key_pos;
        slot.2 = value;
        return Some(previous);
    }
    entries.push((key, key_pos, value));
    None
}

impl MapBuilder {
    pub fn new() -> Self {
        Self::default()
    }
    /// Appends an entry; a later duplicate key replaces the earlier value, as
    /// the API server's decoder does. Returns the earlier key's position then.
    pub fn insert(&mut self, key: String, key_pos: Pos, value: Node) -> Option<Pos> {
        insert_entry(&mut self.entries, Key::from(key), key_pos, value)
    }
    /// [`MapBuilder::insert`] for a key already made (the loader builds keys
    /// straight from the parser's text, without an intermediate `String`).
    pub fn insert_key(&mut self, key: Key, key_pos: Pos, value: Node) -> Option<Pos> {
        insert_entry(&mut self.entries, key, key_pos, value)
    }
    /// Appends an entry whose key the caller knows is not in the map yet,
    /// without [`MapBuilder::insert_key`]'s scan (the loader tracks the keys
    /// of a large map in a hash set, so that building it stays linear).
    pub fn push_new(&mut self, key: Key, key_pos: Pos, value: Node) {
        debug_assert!(self.get(key.as_str()).is_none(), "push_new: `{key}` is already in the map");
        self.entries.push((key, key_pos, value));
    }
    pub fn get(&self, key: &str) -> Option<&Node> {
        position(&self.entries, key).map(|i| &self.entries[i].2)
    }
    pub fn key_pos(&self, key: &str) -> Option<Pos> {
        position(&self.entries, key).map(|i| self.entries[i].1)
    }
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Node)> {
        self.entries.iter().map(|(k, _, v)| (k.as_str(), v))
    }
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
    /// The finished map, without spare capacity.
    pub fn finish(self) -> Map {
        Map { entries: self.entries.into_boxed_slice() }
    }
}

impl Map {
    pub fn new() -> Self {
        Self::default()
    }
    /// A map of entries whose keys are all different (the loader builds
    /// them on a scratch stack and checks for duplicates itself), stored
    /// without spare capacity.
    pub fn from_distinct(entries: Vec<(Key, Pos, Node)>) -> Self {
        debug_assert!(
            entries.len() > 1000
                || entries.iter().enumerate().all(|(i, (k, _, _))| entries[..i].iter().all(|(e, _, _)| e != k)),
            "from_distinct: duplicate keys"
        );
        Self { entries: entries.into_boxed_slice() }
    }
    /// Adds an entry to a finished map (a list item's implied `kind`), as
    /// [`MapBuilder::insert`] does. It copies the map: build maps with
    /// [`MapBuilder`] instead.
    pub fn insert(&mut self, key: String, key_pos: Pos, value: Node) -> Option<Pos> {
        let mut entries = std::mem::take(&mut self.entries).into_vec();
        let previous = insert_entry(&mut entries, Key::from(key), key_pos, value);
        self.entries = entries.into_boxed_slice();
        previous
    }
    pub fn get(&self, key: &str) -> Option<&Node> {
        position(&self.entries, key).map(|i| &self.entries[i].2)
    }
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        position(&self.entries, key).map(|i| &mut self.entries[i].2)
    }
    pub fn key_pos(&self, key: &str) -> Option<Pos> {
        position(&self.entries, key).map(|i| self.entries[i].1)
    }
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Node)> {
        self.entries.iter().map(|(k, _, v)| (k.as_str(), v))
    }
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl Node {
    pub const fn new(value: Value, pos: Pos) -> Self {
        Self { value, pos }
    }
    pub const fn null(pos: Pos) -> Self {
        Self { value: Value::Null, pos }
    }

    /// The child under a map key.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(m) => m.get(key),
            _ => None,
        }
    }
    /// The item at a sequence index.
    pub fn index(&self, i: usize) -> Option<&Node> {
        match &self.value {
            Value::Seq(s) => s.get(i),
            _ => None,
        }
    }
    /// Follows a path of map keys.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }
    /// Resolves an RFC 6901 JSON pointer (`/spec/containers/0/image`).
    pub fn pointer(&self, pointer: &str) -> Option<&Node> {
        self.pointer_nearest(pointer).and_then(|(node, rest)| rest.is_empty().then_some(node))
    }
    /// Resolves as much of a JSON pointer as exists: the deepest node reached
    /// and the part of the pointer that was not found (empty when all was).
    pub fn pointer_nearest<'a>(&self, pointer: &'a str) -> Option<(&Node, &'a str)> {
        if !pointer.is_empty() && !pointer.starts_with('/') {
            return None;
        }
        let mut node = self;
        let mut rest = pointer;
        while !rest.is_empty() {
            let after_slash = &rest[1..];
            let end = after_slash.find('/').map_or(rest.len(), |i| i + 1);
            let raw = &rest[1..end];
            let token = crate::pointer::unescape_token(raw);
            let next = match &node.value {
                Value::Map(m) => m.get(&token),
                Value::Seq(s) => token.parse::<usize>().ok().and_then(|i| s.get(i)),
                _ => None,
            };
            match next {
                Some(n) => {
                    node = n;
                    rest = &rest[end..];
                }
                None => break,
            }
        }
        Some((node, rest))
    }

    /// Where a finding about `pointer` should point: the node itself when it
    /// exists; otherwise the key line of the deepest existing map entry on
    /// the way (`securityContext:`, where the missing field belongs), or the
    /// deepest node when it was reached through a list index.
    pub fn anchor_pos(&self, pointer: &str) -> Pos {
        let mut node = self;
        let mut key_pos = None;
        let mut rest = pointer;
        while let Some(after_slash) = rest.strip_prefix('/') {
            let end = after_slash.find('/').map_or(after_slash.len(), |i| i);
            let token = crate::pointer::unescape_token(&after_slash[..end]);
            let next = match &node.value {
                Value::Map(m) => position(&m.entries, &token).map(|i| (&m.entries[i].2, Some(m.entries[i].1))),
                Value::Seq(s) => token.parse::<usize>().ok().and_then(|i| s.get(i)).map(|n| (n, None)),
                _ => None,
            };
            match next {
                Some((n, k)) => {
                    node = n;
                    key_pos = k;
                    rest = &after_slash[end..];
                }
                None => return key_pos.unwrap_or(node.pos),
            }
        }
        node.pos
    }

    pub fn as_map(&self) -> Option<&Map> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }
    pub fn as_seq(&self) -> &[Node] {
        match &self.value {
            Value::Seq(s) => s,
            _ => &[],
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s.as_str()),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self.value {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }
    pub fn as_i64(&self) -> Option<i64> {
        match self.value {
            Value::Int(i) => Some(i),
            Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(f as i64),
            _ => None,
        }
    }
    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }
    /// Equal values wherever they were written: positions and the order of
    /// map keys do not count (`{a: 1, b: 2}` is `{b: 2, a: 1}`).
    pub fn same_value(&self, other: &Node) -> bool {
        match (&self.value, &other.value) {
            (Value::Map(a), Value::Map(b)) => {
                // Maps written by one tool list their keys in the same order:
                // compared pairwise, linearly, until the orders part.
                let in_order = a.entries.iter().zip(&b.entries).take_while(|(x, y)| x.0 == y.0).count();
                a.len() == b.len()
                    && a.entries[..in_order].iter().zip(&b.entries).all(|(x, y)| x.2.same_value(&y.2))
                    && a.entries[in_order..].iter().all(|(k, _, v)| b.get(k.as_str()).is_some_and(|w| v.same_value(w)))
            }
            (Value::Seq(a), Value::Seq(b)) => a.len() == b.len() && a.iter().zip(b).all(|(v, w)| v.same_value(w)),
            (a, b) => a == b,
        }
    }
    /// A scalar rendered as text (numbers and booleans too), as Kubernetes
    /// would print it; `None` for maps and sequences.
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::Null => Some(String::new()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::String(s) => Some(s.as_str().to_owned()),
            Value::Seq(_) | Value::Map(_) => None,
        }
    }
    /// A short name of the value's type, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Int(_) | Value::Float(_) => "number",
            Value::String(_) => "string",
            Value::Seq(_) => "list",
            Value::Map(_) => "map",
        }
    }

    /// Converts to plain JSON, dropping positions (for typed deserialisation).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::String(s) => J::String(s.as_str().to_owned()),
            Value::Seq(s) => J::Array(s.iter().map(Node::to_json).collect()),
            Value::Map(m) => J::Object(m.iter().map(|(k, v)| (k.to_owned(), v.to_json())).collect()),
        }
    }
    /// Builds a node from plain JSON (objects read from a live cluster have no
    /// source positions; every node gets `pos`).
    pub fn from_json(value: &serde_json::Value, pos: Pos) -> Node {
        use serde_json::Value as J;
        let value = match value {
            J::Null => Value::Null,
            J::Bool(b) => Value::Bool(*b),
            J::Number(n) => n.as_i64().map(Value::Int).unwrap_or_else(|| Value::Float(n.as_f64().unwrap_or(0.0))),
            J::String(s) => Value::String(s.as_str().into()),
            J::Array(a) => Value::Seq(a.iter().map(|v| Node::from_json(v, pos)).collect()),
            // A JSON object's keys are distinct already.
            J::Object(o) => Value::Map(Map::from_distinct(
                o.iter().map(|(k, v)| (Key::new(k), pos, Node::from_json(v, pos))).collect(),
            )),
        };
        Node { value, pos }
    }
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaf(s: &str, line: u32) -> Node {
        Node::new(Value::String(s.into()), Pos::new(line, 1))
    }

    #[test]
    fn pointer_walks_maps_and_sequences_and_reports_the_missing_rest() {
        let mut inner = Map::new();
        inner.insert("a/b".into(), Pos::new(2, 1), leaf("x", 2));
        let seq = Node::new(Value::Seq(Box::new([Node::new(Value::Map(inner), Pos::new(2, 3))])), Pos::new(2, 1));
        let mut root = Map::new();
        root.insert("items".into(), Pos::new(1, 1), seq);
        let root = Node::new(Value::Map(root), Pos::new(1, 1));

        assert_eq!(root.pointer("/items/0/a~1b").and_then(Node::as_str), Some("x"));
        let (near, rest) = root.pointer_nearest("/items/0/missing/deeper").unwrap();
        assert_eq!(near.pos, Pos::new(2, 3));
        assert_eq!(rest, "/missing/deeper");
        assert!(root.pointer("/items/7").is_none());
        assert_eq!(root.anchor_pos("/items/0/a~1b"), Pos::new(2, 1), "an existing node: its value");
        assert_eq!(root.anchor_pos("/items/0/missing"), Pos::new(2, 3), "reached by index: the item");
        assert_eq!(root.anchor_pos("/items/0/a~1b/missing"), Pos::new(2, 1), "reached by key: the key");
        assert_eq!(root.anchor_pos("/items/missing"), Pos::new(1, 1), "the `items:` key");
        assert!(root.pointer("no-slash").is_none());
    }

    #[test]
    fn keys_short_and_long_compare_as_text() {
        for text in [
            "",
            "a",
            "exactly14bytes",
            "exactly-15-bytes",
            "app.kubernetes.io/name",
            "kubectl.kubernetes.io/last-applied-configuration",
            "ünïcödé-ключ",
            "ünïcödé-ключ-ünïcödé",
        ] {
            assert_eq!(Key::new(text).as_str(), text);
            assert_eq!(Key::from(text.to_owned()).as_str(), text);
            assert!(Key::new(text) == *text);
        }
        for known in KNOWN_KEYS {
            assert!(known.len() > Key::INLINE, "{known} would be stored in place anyway");
            assert!(matches!(Key::new(known).0, KeyRepr::Known(_)), "{known}");
            assert_eq!(Key::new(known).as_str(), *known);
            assert!(Key::new(known) == Key::from(known.to_string()));
        }
        assert!(matches!(Key::new("x-unknown-but-long-key").0, KeyRepr::Heap(_)));
        assert!(Key::new("securityContext") != Key::new("securityContexts"));
        assert_eq!(std::mem::size_of::<Key>(), 16);
    }

    /// Key equality and the known-key lookup against plain text comparison
    /// and a linear search, on seeded random keys near the known ones.
    #[test]
    fn key_equality_and_lookup_match_the_text() {
        let mut state = 0x6b65_7973u64;
        let mut next = move || {
            // splitmix64
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            (z ^ (z >> 31)) as usize
        };
        let pieces = ["a", "b", "-", ".", "/", "ü", "\0", "io", "name", "Context", "kubernetes"];
        let mut texts: Vec<String> = Vec::new();
        for _ in 0..3000 {
            let mut t = match next() % 3 {
                0 => KNOWN_KEYS[next() % KNOWN_KEYS.len()].to_owned(),
                1 => String::new(),
                _ => "x".repeat(next() % 70),
            };
            for _ in 0..next() % 3 {
                match next() % 3 {
                    0 if !t.is_empty() => {
                        let cut = (0..=next() % t.len()).rev().find(|&i| t.is_char_boundary(i)).unwrap_or(0);
                        t.truncate(cut);
                    }
                    1 => t.insert_str(0, pieces[next() % pieces.len()]),
                    _ => t.push_str(pieces[next() % pieces.len()]),
                }
            }
            texts.push(t);
        }
        for (i, a) in texts.iter().enumerate() {
            let expected = KNOWN_KEYS.iter().position(|k| k == a).map(|i| i as u16);
            assert_eq!(known_key(a), expected, "{a:?}");
            assert_eq!(Key::new(a).as_str(), a.as_str());
            for b in &texts[i.saturating_sub(20)..=i] {
                assert_eq!(Key::new(a) == Key::from(b.clone()), a == b, "{a:?} vs {b:?}");
            }
        }
    }

    #[test]
    fn padded_keeps_every_byte_in_place() {
        let text: Vec<u8> = (1..=Key::INLINE as u8).map(|i| i * 17).collect();
        for n in 0..=Key::INLINE {
            let mut expected = [0u8; Key::INLINE];
            expected[..n].copy_from_slice(&text[..n]);
            assert_eq!(padded(&text[..n]), expected, "{n} bytes");
        }
    }

    #[test]
    fn a_node_is_four_words_and_a_map_entry_seven() {
        // A 100,000-object dump holds ten million nodes: a word more on
        // each is 80 MB more to allocate, touch and fault in.
        assert_eq!(std::mem::size_of::<Value>(), 24);
        assert_eq!(std::mem::size_of::<Node>(), 32);
        assert_eq!(std::mem::size_of::<(Key, Pos, Node)>(), 56);
    }

    #[test]
    fn lookups_find_short_known_and_other_long_keys_and_nothing_else() {
        let keys = ["a", "fourteen-bytes", "fifteen-bytes-x", "securityContext", "x-unknown-but-long-key", ""];
        let entries =
            keys.iter().enumerate().map(|(i, k)| (Key::new(k), Pos::new(i as u32 + 1, 1), leaf(k, i as u32 + 1)));
        let map = Map::from_distinct(entries.collect());
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(map.get(k).and_then(Node::as_str), Some(*k));
            assert_eq!(map.key_pos(k), Some(Pos::new(i as u32 + 1, 1)));
        }
        for missing in ["b", "fourteen-bytez", "fifteen-bytes-y", "securityContexts", "x-unknown-but-long-kez", "A"] {
            assert!(map.get(missing).is_none(), "{missing}");
        }
    }

    #[test]
    fn a_built_map_keeps_order_and_the_last_of_duplicates() {
        let mut b = MapBuilder::new();
        assert_eq!(b.insert("b".into(), Pos::new(1, 1), leaf("1", 1)), None);
        b.push_new(Key::new("a"), Pos::new(2, 1), leaf("2", 2));
        assert_eq!(b.insert_key(Key::new("b"), Pos::new(3, 1), leaf("3", 3)), Some(Pos::new(1, 1)));
        assert_eq!((b.len(), b.key_pos("b"), b.get("a").and_then(Node::as_str)), (2, Some(Pos::new(3, 1)), Some("2")));
        let map = b.finish();
        let entries: Vec<(&str, Option<&str>)> = map.iter().map(|(k, v)| (k, v.as_str())).collect();
        assert_eq!(entries, [("b", Some("3")), ("a", Some("2"))]);
    }

    #[test]
    fn duplicate_key_replaces_and_reports_the_first() {
        let mut m = Map::new();
        assert_eq!(m.insert("k".into(), Pos::new(1, 1), leaf("a", 1)), None);
        assert_eq!(m.insert("k".into(), Pos::new(2, 1), leaf("b", 2)), Some(Pos::new(1, 1)));
        assert_eq!(m.get("k").and_then(Node::as_str), Some("b"));
        assert_eq!(m.len(), 1);
    }
}
