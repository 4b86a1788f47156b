//! k-means (Lloyd) with greedy k-means++ seeding and restarts, and the silhouette
//! coefficient, on dense row-major points. Deterministic: every restart draws from its
//! own generator seeded from `(seed, restart)`, restarts run in parallel but are compared
//! in restart order, and every sum runs in point order — so the result is the same on any
//! number of threads.
//!
//! Hand-written rather than linfa-clustering: linfa brings ndarray and its own random
//! number stack for ~150 lines, and its parallel reductions do not promise the same float
//! sums on every thread count.

use rayon::prelude::*;

/// Points in `dims` dimensions, row-major.
pub struct Points<'a> {
    /// `n × dims` coordinates.
    pub data: &'a [f64],
    /// Coordinates per point.
    pub dims: usize,
}

impl Points<'_> {
    /// Number of points.
    pub fn len(&self) -> usize {
        self.data.len() / self.dims
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    fn point(&self, i: usize) -> &[f64] {
        &self.data[i * self.dims..(i + 1) * self.dims]
    }
}

/// How a fit is searched.
#[derive(Clone, Copy, Debug)]
pub struct Search {
    /// Clusters.
    pub k: usize,
    /// Restarts (the best inertia is kept).
    pub n_init: u32,
    /// Seed of the first restart's generator.
    pub seed: u64,
    /// Lloyd iterations at most per restart.
    pub max_iter: u32,
}

/// The best of the restarts.
#[derive(Clone, Debug)]
pub struct Fit {
    /// `k × dims` centroids, the means of their members.
    pub centroids: Vec<f64>,
    /// The cluster of every point (its nearest centroid; ties: the lower index).
    pub labels: Vec<u32>,
    /// Squared distance of every point to its centroid.
    pub distances: Vec<f64>,
    /// Sum of the squared distances.
    pub inertia: f64,
    /// Lloyd iterations of the kept restart.
    pub iterations: u32,
    /// Whether it stopped because no point changed cluster (not at `max_iter`).
    pub converged: bool,
    /// Which restart was kept (0-based).
    pub restart: u32,
}

/// The best fit over `search.n_init` restarts (lowest inertia; ties: the earlier restart).
pub fn fit(points: &Points, search: Search) -> Fit {
    let fits: Vec<Fit> = (0..search.n_init)
        .into_par_iter()
        .map(|restart| {
            let mut rng = SplitMix64::new(search.seed, restart);
            let seeds = plus_plus(points, search.k, &mut rng);
            let mut fit = lloyd(points, seeds, search.k, search.max_iter);
            fit.restart = restart;
            fit
        })
        .collect();
    fits.into_iter()
        .reduce(|best, next| {
            if next.inertia < best.inertia {
                next
            } else {
                best
            }
        })
        .expect("at least one restart")
}

/// Greedy k-means++ (Arthur & Vassilvitskii; 2 + ⌊ln k⌋ candidates per centre, the one
/// that lowers the potential most kept, as scikit-learn does).
fn plus_plus(points: &Points, k: usize, rng: &mut SplitMix64) -> Vec<f64> {
    let n = points.len();
    let trials = 2 + (k as f64).ln().floor() as usize;
    let first = rng.below(n);
    let mut centroids = points.point(first).to_vec();
    let mut closest: Vec<f64> = (0..n)
        .map(|i| squared(points.point(i), points.point(first)))
        .collect();
    let mut potential: f64 = closest.iter().sum();
    for _ in 1..k {
        let mut cumulative = Vec::with_capacity(n);
        let mut running = 0.0;
        for d in &closest {
            running += d;
            cumulative.push(running);
        }
        let mut best: Option<(f64, usize, Vec<f64>)> = None;
        for _ in 0..trials {
            let candidate = if potential > 0.0 {
                let target = rng.unit() * potential;
                cumulative.partition_point(|&c| c <= target).min(n - 1)
            } else {
                rng.below(n)
            };
            let lowered: Vec<f64> = (0..n)
                .map(|i| closest[i].min(squared(points.point(i), points.point(candidate))))
                .collect();
            let total: f64 = lowered.iter().sum();
            if best.as_ref().is_none_or(|(b, _, _)| total < *b) {
                best = Some((total, candidate, lowered));
            }
        }
        let (total, chosen, lowered) = best.expect("at least two trials");
        centroids.extend_from_slice(points.point(chosen));
        closest = lowered;
        potential = total;
    }
    centroids
}

/// Lloyd iterations from `centroids` until no point changes cluster (or `max_iter`),
/// with Hamerly's bounds: a point whose distance to its centre (an upper bound) is below
/// both half the gap to the nearest other centre and a lower bound on its second-nearest
/// centre keeps its cluster without computing distances. The result is Lloyd's; only the
/// work is less (skips use a margin of 1e-10 so that rounding never decides a skip).
fn lloyd(points: &Points, mut centroids: Vec<f64>, k: usize, max_iter: u32) -> Fit {
    let n = points.len();
    let dims = points.dims;
    let mut state: Vec<(u32, f64, f64)> = (0..n)
        .into_par_iter()
        .map(|i| {
            let (label, first, second) = nearest_two(points.point(i), &centroids, k);
            (label, first.sqrt(), second.sqrt())
        })
        .collect();
    let mut iterations = 0;
    let mut converged = false;
    while iterations < max_iter {
        iterations += 1;
        let labels: Vec<u32> = state.iter().map(|s| s.0).collect();
        let before = centroids;
        centroids = means(points, &labels, k, &before);
        let shift: Vec<f64> = (0..k)
            .map(|c| {
                let range = c * dims..(c + 1) * dims;
                squared(&before[range.clone()], &centroids[range]).sqrt()
            })
            .collect();
        let (most, most_at, next_most) = two_largest(&shift);
        let half_gap = half_gaps(&centroids, k, dims);
        let changed = state
            .par_iter_mut()
            .enumerate()
            .map(|(i, (label, upper, lower))| {
                let a = *label as usize;
                *upper += shift[a];
                *lower -= if a == most_at { next_most } else { most };
                let bound = half_gap[a].max(*lower) * (1.0 - 1e-10);
                if *upper < bound {
                    return false;
                }
                let p = points.point(i);
                *upper = squared(p, &centroids[a * dims..(a + 1) * dims]).sqrt();
                if *upper < bound {
                    return false;
                }
                let (nearest, first, second) = nearest_two(p, &centroids, k);
                *upper = first.sqrt();
                *lower = second.sqrt();
                let moved = nearest != *label;
                *label = nearest;
                moved
            })
            .reduce(|| false, |a, b| a || b);
        if !changed {
            converged = true;
            break;
        }
    }
    let mut labels: Vec<u32> = state.iter().map(|s| s.0).collect();
    if !converged {
        // Centroids that are the means of the final labels, as documented.
        let before = centroids;
        centroids = means(points, &labels, k, &before);
        labels = assign(points, &centroids, k).0;
    }
    let distances: Vec<f64> = labels
        .par_iter()
        .enumerate()
        .map(|(i, label)| {
            let c = *label as usize;
            squared(points.point(i), &centroids[c * dims..(c + 1) * dims])
        })
        .collect();
    Fit {
        inertia: distances.iter().sum(),
        centroids,
        labels,
        distances,
        iterations,
        converged,
        restart: 0,
    }
}

/// The nearest centroid (ties: the lower index), its squared distance and the squared
/// distance of the second nearest (infinite with one centroid).
fn nearest_two(p: &[f64], centroids: &[f64], k: usize) -> (u32, f64, f64) {
    let dims = p.len();
    let (mut best, mut first, mut second) = (0u32, f64::INFINITY, f64::INFINITY);
    for c in 0..k {
        let d = squared(p, &centroids[c * dims..(c + 1) * dims]);
        if d < first {
            second = first;
            first = d;
            best = c as u32;
        } else if d < second {
            second = d;
        }
    }
    (best, first, second)
}

/// The largest value, where it is, and the largest of the others (0 with one value).
fn two_largest(values: &[f64]) -> (f64, usize, f64) {
    let (mut most, mut at, mut next) = (0.0f64, 0usize, 0.0f64);
    for (i, v) in values.iter().enumerate() {
        if *v > most {
            next = most;
            most = *v;
            at = i;
        } else if *v > next {
            next = *v;
        }
    }
    (most, at, next)
}

/// Half the distance from every centroid to its nearest other centroid.
fn half_gaps(centroids: &[f64], k: usize, dims: usize) -> Vec<f64> {
    (0..k)
        .map(|a| {
            (0..k)
                .filter(|&b| b != a)
                .map(|b| {
                    squared(
                        &centroids[a * dims..(a + 1) * dims],
                        &centroids[b * dims..(b + 1) * dims],
                    )
                    .sqrt()
                })
                .fold(f64::INFINITY, f64::min)
                * 0.5
        })
        .collect()
}

/// Nearest centroid of every point (ties: the lower index) and the squared distance.
fn assign(points: &Points, centroids: &[f64], k: usize) -> (Vec<u32>, Vec<f64>) {
    (0..points.len())
        .into_par_iter()
        .map(|i| {
            let (label, first, _) = nearest_two(points.point(i), centroids, k);
            (label, first)
        })
        .unzip()
}

/// Means of the clusters; an empty cluster takes the point farthest from its centroid
/// in `before` (scikit-learn's relocation), each point used once.
fn means(points: &Points, labels: &[u32], k: usize, before: &[f64]) -> Vec<f64> {
    let dims = points.dims;
    let mut sums = vec![0.0; k * dims];
    let mut counts = vec![0usize; k];
    for (i, &label) in labels.iter().enumerate() {
        let c = label as usize;
        counts[c] += 1;
        for (s, x) in sums[c * dims..(c + 1) * dims]
            .iter_mut()
            .zip(points.point(i))
        {
            *s += x;
        }
    }
    let empty: Vec<usize> = (0..k).filter(|&c| counts[c] == 0).collect();
    if !empty.is_empty() {
        let distances: Vec<f64> = labels
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let c = *l as usize;
                squared(points.point(i), &before[c * dims..(c + 1) * dims])
            })
            .collect();
        let mut far: Vec<usize> = (0..labels.len()).collect();
        far.sort_by(|&a, &b| distances[b].total_cmp(&distances[a]).then(a.cmp(&b)));
        for (c, &i) in empty.iter().zip(&far) {
            let from = labels[i] as usize;
            counts[from] -= 1;
            for d in 0..dims {
                sums[from * dims + d] -= points.point(i)[d];
            }
            counts[*c] = 1;
            sums[c * dims..(c + 1) * dims].copy_from_slice(points.point(i));
        }
    }
    for c in 0..k {
        let count = counts[c].max(1) as f64;
        for s in &mut sums[c * dims..(c + 1) * dims] {
            *s /= count;
        }
    }
    sums
}

/// Mean silhouette coefficient of the points `sample` (indices), distances between
/// sample points only; a point alone in its cluster within the sample scores 0.
pub fn silhouette(points: &Points, labels: &[u32], k: usize, sample: &[usize]) -> f64 {
    if sample.is_empty() {
        return 0.0;
    }
    let scores: Vec<f64> = sample
        .par_iter()
        .map(|&i| {
            let mut sum = vec![0.0; k];
            let mut count = vec![0usize; k];
            for &j in sample {
                if j != i {
                    let c = labels[j] as usize;
                    sum[c] += squared(points.point(i), points.point(j)).sqrt();
                    count[c] += 1;
                }
            }
            let own = labels[i] as usize;
            if count[own] == 0 {
                return 0.0;
            }
            let a = sum[own] / count[own] as f64;
            let b = (0..k)
                .filter(|&c| c != own && count[c] > 0)
                .map(|c| sum[c] / count[c] as f64)
                .fold(f64::INFINITY, f64::min);
            if !b.is_finite() {
                return 0.0;
            }
            let larger = a.max(b);
            if larger > 0.0 { (b - a) / larger } else { 0.0 }
        })
        .collect();
    scores.iter().sum::<f64>() / scores.len() as f64
}

/// Up to `size` distinct point indices in ascending order, drawn with `seed`.
pub fn sample(n: usize, size: usize, seed: u64) -> Vec<usize> {
    let mut indices: Vec<usize> = (0..n).collect();
    if n > size {
        let mut rng = SplitMix64::new(seed, u32::MAX);
        for i in 0..size {
            let j = i + rng.below(n - i);
            indices.swap(i, j);
        }
        indices.truncate(size);
        indices.sort_unstable();
    }
    indices
}

fn squared(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// SplitMix64 (Steele, Lea & Flood): small, fast, and the same on every platform.
struct SplitMix64(u64);

impl SplitMix64 {
    fn new(seed: u64, stream: u32) -> Self {
        SplitMix64(seed ^ u64::from(stream).wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in 0..n (n > 0).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next()) * n as u128) >> 64) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blobs() -> Vec<f64> {
        // Three tight groups of four points around (0,0), (10,0) and (0,10).
        let mut data = Vec::new();
        for (cx, cy) in [(0.0, 0.0), (10.0, 0.0), (0.0, 10.0)] {
            for (dx, dy) in [(0.1, 0.0), (-0.1, 0.0), (0.0, 0.1), (0.0, -0.1)] {
                data.extend([cx + dx, cy + dy]);
            }
        }
        data
    }

    #[test]
    fn separated_groups_are_found_with_their_means_and_inertia() {
        let data = blobs();
        let points = Points {
            data: &data,
            dims: 2,
        };
        let fit = fit(
            &points,
            Search {
                k: 3,
                n_init: 5,
                seed: 7,
                max_iter: 100,
            },
        );
        for group in fit.labels.chunks(4) {
            assert!(group.iter().all(|l| *l == group[0]), "{:?}", fit.labels);
        }
        // Twelve points each 0.1 from their group's centre: 12 × 0.01.
        assert!((fit.inertia - 0.12).abs() < 1e-9, "{}", fit.inertia);
        assert!(fit.converged);
        let mut centres: Vec<(i64, i64)> = fit
            .centroids
            .chunks(2)
            .map(|c| ((c[0] * 1e6).round() as i64, (c[1] * 1e6).round() as i64))
            .collect();
        centres.sort();
        assert_eq!(centres, [(0, 0), (0, 10_000_000), (10_000_000, 0)]);
        let all: Vec<usize> = (0..12).collect();
        let s = silhouette(&points, &fit.labels, 3, &all);
        assert!(s > 0.95, "{s}");
    }

    #[test]
    fn the_result_does_not_depend_on_the_thread_count() {
        let data: Vec<f64> = (0..3000)
            .map(|i| ((i * 7919) % 1013) as f64 / 101.3)
            .collect();
        let points = Points {
            data: &data,
            dims: 3,
        };
        let search = Search {
            k: 4,
            n_init: 7,
            seed: 1,
            max_iter: 300,
        };
        let run = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| fit(&points, search))
        };
        let one = run(1);
        for threads in [2, 7] {
            let other = run(threads);
            assert_eq!(one.labels, other.labels);
            assert_eq!(one.inertia.to_bits(), other.inertia.to_bits());
            assert_eq!(one.restart, other.restart);
        }
    }

    #[test]
    fn an_empty_cluster_takes_the_farthest_point() {
        let data = [0.0, 0.0, 0.0, 10.0];
        let points = Points {
            data: &data,
            dims: 1,
        };
        // Cluster 1 has no member; point 3 (10.0) is farthest from centroid 0 (2.5).
        let centroids = means(&points, &[0, 0, 0, 0], 2, &[2.5, 0.0]);
        assert_eq!(centroids, [0.0, 10.0]);
    }

    #[test]
    fn samples_are_distinct_sorted_and_repeatable() {
        let a = sample(1000, 50, 3);
        assert_eq!(a, sample(1000, 50, 3));
        assert_eq!(a.len(), 50);
        assert!(a.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(sample(10, 50, 3), (0..10).collect::<Vec<_>>());
    }
}
