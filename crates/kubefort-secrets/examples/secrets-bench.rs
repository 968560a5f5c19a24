//! Throughput of the secret scanner on 100 MB of mixed text: Kubernetes
//! YAML, application logs, prose, source code and `.env`-style config,
//! with a fake secret in about one line in 2,000.
//!
//! ```sh
//! cargo run --release -p kubefort-secrets --example secrets-bench [-- MEGABYTES]
//! ```

use kubefort_secrets::fake::Fake;
use kubefort_secrets::{scanner, DETECTORS};
use std::time::Instant;

const CHUNKS: &[&str] = &[
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\n  labels: {app: web, tier: frontend}\nspec:\n  replicas: 3\n  template:\n    spec:\n      serviceAccountName: web\n      containers:\n        - name: web\n          image: registry.example.org/shop/web:1.4.2\n          env:\n            - name: DB_PASSWORD\n              valueFrom:\n                secretKeyRef: {name: db, key: password}\n          resources: {limits: {cpu: 500m, memory: 256Mi}}\n",
    "2024-05-01T12:00:01.123Z INFO  http: GET /api/v1/orders?page=2 200 12.3ms user=4821 trace=9f1c2b7a\n2024-05-01T12:00:01.456Z WARN  db: slow query (842ms) on orders_by_customer, consider an index\n2024-05-01T12:00:02.001Z INFO  auth: token refreshed for session 77d1, expires in 3600s\n",
    "The kubelet reads the pod spec, pulls the image and starts the containers in order. A secret mounted as a volume is refreshed when it changes, while one read into an environment variable is fixed at start, so rotating it needs a restart.\n",
    "fn handle(req: &Request) -> Result<Response> {\n    let token = req.header(\"authorization\").ok_or(Error::Unauthorized)?;\n    let claims = verify(token, &state.keys)?;\n    Ok(Response::json(&orders_for(claims.sub)?))\n}\n",
    "# service settings\nLOG_LEVEL=info\nPORT=8080\nDATABASE_HOST=db.internal\nPASSWORD_FILE=/run/secrets/db\nFEATURE_FLAGS=checkout-v2,search\n",
];

fn main() {
    let mb: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(100);
    let target = mb * 1_000_000;
    let mut fake = Fake::new(42);
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
            let d = DETECTORS[fake.below(DETECTORS.len())];
            let secret = fake.secret(d.id);
            match d.id {
                "url-credentials" => text.push_str(&format!("DATABASE_URL=postgres://app:{secret}@db:5432/app\n")),
                "docker-config-auth" => text.push_str(&format!("{{\"auths\":{{\"r\":{{\"auth\":\"{secret}\"}}}}}}\n")),
                "aws-secret-access-key" => text.push_str(&format!("aws_secret_access_key = {secret}\n")),
                "azure-storage-key" => text.push_str(&format!("AZURE_STORAGE_KEY={secret}\n")),
                _ => text.push_str(&format!("API_SECRET={secret}\n")),
            }
            planted += 1;
        }
    }
    let scanner = scanner();
    let _ = scanner.scan(&text.as_bytes()[..100_000]); // warm up
    let mut best = f64::MAX;
    let mut found = 0;
    for _ in 0..3 {
        let start = Instant::now();
        found = scanner.scan(text.as_bytes()).len();
        best = best.min(start.elapsed().as_secs_f64());
    }
    let start = Instant::now();
    let hits = scanner.prefilter_hits(text.as_bytes());
    println!("prefilter alone: {:.3} s, {hits:?} anchor hits", start.elapsed().as_secs_f64());
    let mbs = text.len() as f64 / 1e6 / best;
    println!(
        "scanned {:.1} MB in {:.3} s (best of 3, one thread): {mbs:.0} MB/s; {planted} secrets planted, {found} matches",
        text.len() as f64 / 1e6,
        best
    );
}
