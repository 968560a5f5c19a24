//! Format-valid *fake* secrets, generated from a seed, for tests and
//! benchmarks: nothing here was ever a real credential, and nothing needs
//! to be committed to the repository in plain text.

use base64::Engine;

/// A small deterministic generator (xorshift64*).
pub struct Fake(u64);

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const HEX: &[u8] = b"0123456789abcdef";
const PASSWORD: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!%&*+-=?@^_";

impl Fake {
    pub fn new(seed: u64) -> Fake {
        Fake(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    pub fn chars(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n).map(|_| alphabet[self.below(alphabet.len())] as char).collect()
    }

    /// A fake secret for a detector id (see [`crate::DETECTORS`]).
    pub fn secret(&mut self, detector: &str) -> String {
        match detector {
            "aws-access-key-id" => format!("AKIA{}", self.chars(UPPER, 16)),
            "aws-secret-access-key" => self.chars(B64, 40),
            "gcp-service-account-key" => self.gcp_key_file(),
            "azure-connection-string" => format!(
                "DefaultEndpointsProtocol=https;AccountName=acct{};AccountKey={}==;EndpointSuffix=core.windows.net",
                self.chars(HEX, 6),
                self.chars(B64, 86)
            ),
            "azure-storage-key" => format!("{}==", self.chars(B64, 86)),
            "github-token" => format!("ghp_{}", self.chars(ALNUM, 36)),
            "gitlab-token" => format!("glpat-{}", self.chars(ALNUM, 20)),
            "slack-token" => format!(
                "xoxb-{}-{}-{}",
                self.chars(b"0123456789", 12),
                self.chars(b"0123456789", 13),
                self.chars(ALNUM, 24)
            ),
            "slack-webhook" => format!(
                "https://hooks.slack.com/services/T{}/B{}/{}",
                self.chars(UPPER, 8),
                self.chars(UPPER, 10),
                self.chars(ALNUM, 24)
            ),
            "stripe-secret-key" => format!("sk_live_{}", self.chars(ALNUM, 24)),
            "twilio-api-key" => format!("SK{}", self.chars(HEX, 32)),
            "sendgrid-api-key" => format!("SG.{}.{}", self.chars(B64URL, 22), self.chars(B64URL, 43)),
            "npm-token" => format!("npm_{}", self.chars(ALNUM, 36)),
            "pypi-token" => format!("pypi-AgEIcHlwaS5vcmc{}", self.chars(B64URL, 70)),
            "private-key" => self.pem("RSA PRIVATE KEY", "\n"),
            "jwt" => self.jwt("https://auth.example.org/"),
            "kubernetes-service-account-token" => self.jwt("kubernetes/serviceaccount"),
            "docker-config-auth" => {
                let user_pass = format!("robot:{}", self.password(20));
                base64::engine::general_purpose::STANDARD.encode(user_pass)
            }
            "url-credentials" => self.password(16),
            _ => self.password(18),
        }
    }

    /// A random password with every character class.
    pub fn password(&mut self, n: usize) -> String {
        loop {
            let p = self.chars(PASSWORD, n);
            let classes = [
                p.bytes().any(|b| b.is_ascii_lowercase()),
                p.bytes().any(|b| b.is_ascii_uppercase()),
                p.bytes().any(|b| b.is_ascii_digit()),
            ];
            if classes.iter().all(|c| *c) {
                return p;
            }
        }
    }

    /// A PEM block of the given label with random body lines joined by `newline`.
    pub fn pem(&mut self, label: &str, newline: &str) -> String {
        let mut lines = vec![format!("-----BEGIN {label}-----")];
        for _ in 0..12 {
            lines.push(self.chars(B64, 64));
        }
        lines.push(format!("-----END {label}-----"));
        lines.join(newline)
    }

    pub fn jwt(&mut self, issuer: &str) -> String {
        let e = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        let header = e(r#"{"alg":"RS256","kid":"k1","typ":"JWT"}"#);
        let payload = e(&format!(r#"{{"iss":"{issuer}","sub":"system:serviceaccount:app:web","exp":1900000000}}"#));
        format!("{header}.{payload}.{}", self.chars(B64URL, 86))
    }

    /// A GCP service-account key file (JSON).
    pub fn gcp_key_file(&mut self) -> String {
        format!(
            "{{\n  \"type\": \"service_account\",\n  \"project_id\": \"demo-{}\",\n  \"private_key_id\": \"{}\",\n  \"private_key\": \"{}\\n\",\n  \"client_email\": \"ci@demo.iam.gserviceaccount.com\"\n}}",
            self.chars(HEX, 6),
            self.chars(HEX, 40),
            self.pem("PRIVATE KEY", "\\n")
        )
    }
}

/// Pieces of ordinary text the mixed text is made of.
const CHUNKS: &[&str] = &[
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\n  labels: {app: web, tier: frontend}\nspec:\n  replicas: 3\n  template:\n    spec:\n      serviceAccountName: web\n      containers:\n        - name: web\n          image: registry.example.org/shop/web:1.4.2\n          env:\n            - name: DB_PASSWORD\n              valueFrom:\n                secretKeyRef: {name: db, key: password}\n          resources: {limits: {cpu: 500m, memory: 256Mi}}\n",
    "2024-05-01T12:00:01.123Z INFO  http: GET /api/v1/orders?page=2 200 12.3ms user=4821 trace=9f1c2b7a\n2024-05-01T12:00:01.456Z WARN  db: slow query (842ms) on orders_by_customer, consider an index\n2024-05-01T12:00:02.001Z INFO  auth: token refreshed for session 77d1, expires in 3600s\n",
    "The kubelet reads the pod spec, pulls the image and starts the containers in order. A secret mounted as a volume is refreshed when it changes, while one read into an environment variable is fixed at start, so rotating it needs a restart.\n",
    "fn handle(req: &Request) -> Result<Response> {\n    let token = req.header(\"authorization\").ok_or(Error::Unauthorized)?;\n    let claims = verify(token, &state.keys)?;\n    Ok(Response::json(&orders_for(claims.sub)?))\n}\n",
    "# service settings\nLOG_LEVEL=info\nPORT=8080\nDATABASE_HOST=db.internal\nPASSWORD_FILE=/run/secrets/db\nFEATURE_FLAGS=checkout-v2,search\n",
];

/// About `target` bytes of mixed text (Kubernetes YAML, application logs,
/// prose, source code and `.env`-style config) with a fake secret of a
/// random detector planted every 200 chunks (about one line in 2,000).
/// Returns the text and the number of secrets planted. Deterministic from
/// `seed`.
pub fn mixed_text(target: usize, seed: u64) -> (String, usize) {
    let mut fake = Fake::new(seed);
    let mut text = String::with_capacity(target + 4096);
    let mut planted = 0usize;
    let mut i = 0usize;
    let mut since_secret = 0usize;
    while text.len() < target {
        text.push_str(CHUNKS[i % CHUNKS.len()]);
        i += 1;
        since_secret += 1;
        if since_secret == 200 {
            since_secret = 0;
            let d = crate::DETECTORS[fake.below(crate::DETECTORS.len())];
            let secret = fake.secret(d.id);
            let line = match d.id {
                "url-credentials" => format!("DATABASE_URL=postgres://app:{secret}@db:5432/app\n"),
                "docker-config-auth" => format!("{{\"auths\":{{\"r\":{{\"auth\":\"{secret}\"}}}}}}\n"),
                "aws-secret-access-key" => format!("aws_secret_access_key = {secret}\n"),
                "azure-storage-key" => format!("AZURE_STORAGE_KEY={secret}\n"),
                _ => format!("API_SECRET={secret}\n"),
            };
            text.push_str(&line);
            planted += 1;
        }
    }
    (text, planted)
}
