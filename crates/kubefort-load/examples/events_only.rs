//! Parse floor of the parse floor: saphyr-parser events only, no tree, same chunks.
use rayon::prelude::*;
fn main() {
    let path = std::env::args().nth(1).expect("path");
    let text = std::fs::read_to_string(path).unwrap();
    let t = std::time::Instant::now();
    let chunks = kubefort_load::yaml::split_documents(&text);
    let split = t.elapsed();
    let n: usize = chunks
        .par_iter()
        .map(|c| {
            let mut p = saphyr_parser::Parser::new_from_str(c.text);
            let mut n = 0;
            while let Some(Ok((e, _))) = p.next_event() {
                if matches!(e, saphyr_parser::Event::StreamEnd) {
                    break;
                }
                n += 1;
            }
            n
        })
        .sum();
    println!(
        "chunks {} events {} split {:.3}s total {:.3}s",
        chunks.len(),
        n,
        split.as_secs_f64(),
        t.elapsed().as_secs_f64()
    );
}
