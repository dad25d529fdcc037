//! A fast, portable exponential for the hot loop.
//!
//! The simulation calls `exp` twice per reform opportunity (the success chance and the logit
//! choice). The platform's libm is fast but may differ in the last bit between C libraries and
//! CPU feature paths; the pure-Rust `libm` crate is portable but slow. This is a portable
//! table-driven exp (the classic method of Tang, 1989): x = (32m + j)·ln2/32 + r with
//! |r| ≤ ln2/64, exp(x) = 2^m · 2^(j/32) · P(r), P the degree-6 Taylor polynomial. Plain
//! IEEE arithmetic without fused operations, so every machine gets the same bits. Relative
//! error is below 5e-16 (tested against std's exp), i.e. about 2 units in the last place.

/// 2^(j/32) for j in 0..32, correctly rounded (generated with 60-digit decimal arithmetic).
const TWO_POW_J_32: [u64; 32] = [
    0x3ff0000000000000,
    0x3ff059b0d3158574,
    0x3ff0b5586cf9890f,
    0x3ff11301d0125b51,
    0x3ff172b83c7d517b,
    0x3ff1d4873168b9aa,
    0x3ff2387a6e756238,
    0x3ff29e9df51fdee1,
    0x3ff306fe0a31b715,
    0x3ff371a7373aa9cb,
    0x3ff3dea64c123422,
    0x3ff44e086061892d,
    0x3ff4bfdad5362a27,
    0x3ff5342b569d4f82,
    0x3ff5ab07dd485429,
    0x3ff6247eb03a5585,
    0x3ff6a09e667f3bcd,
    0x3ff71f75e8ec5f74,
    0x3ff7a11473eb0187,
    0x3ff82589994cce13,
    0x3ff8ace5422aa0db,
    0x3ff93737b0cdc5e5,
    0x3ff9c49182a3f090,
    0x3ffa5503b23e255d,
    0x3ffae89f995ad3ad,
    0x3ffb7f76f2fb5e47,
    0x3ffc199bdd85529c,
    0x3ffcb720dcef9069,
    0x3ffd5818dcfba487,
    0x3ffdfc97337b9b5f,
    0x3ffea4afa2a490da,
    0x3fff50765b6e4540,
];

/// Largest |x| accepted; exp(±700) is well inside f64's normal range.
pub const EXP_LIMIT: f64 = 700.0;

/// e^x for x in [−700, 700] (values outside are clamped to that range).
#[inline]
pub fn exp(x: f64) -> f64 {
    // ln2/32 split into a high part with trailing zero bits (so k·HI is exact) and the rest.
    const LN2_HI_32: f64 = f64::from_bits(0x3FE6_2E42_FEE0_0000) / 32.0;
    const LN2_LO_32: f64 = f64::from_bits(0x3DEA_39EF_3579_3C76) / 32.0;
    const INV_LN2_32: f64 = 32.0 / std::f64::consts::LN_2;
    // Adding and subtracting 1.5·2^52 rounds to the nearest integer in plain arithmetic.
    const ROUND: f64 = 6_755_399_441_055_744.0;

    let x = x.clamp(-EXP_LIMIT, EXP_LIMIT);
    let kf = (x * INV_LN2_32 + ROUND) - ROUND;
    let k = kf as i64;
    let r = (x - kf * LN2_HI_32) - kf * LN2_LO_32;
    let p = 1.0
        + r * (1.0
            + r * (1.0 / 2.0
                + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0))))));
    let j = (k & 31) as usize;
    let m = k >> 5;
    let scale = f64::from_bits(((m + 1023) as u64) << 52);
    f64::from_bits(TWO_POW_J_32[j]) * p * scale
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_std_exp_to_a_few_ulps() {
        let mut worst: f64 = 0.0;
        let n = 2_000_000;
        for i in 0..=n {
            let x = -EXP_LIMIT + 2.0 * EXP_LIMIT * i as f64 / n as f64;
            let (ours, std) = (exp(x), x.exp());
            worst = worst.max(((ours - std) / std).abs());
        }
        for i in -2000..=2000 {
            let x = i as f64 * 1e-3;
            worst = worst.max(((exp(x) - x.exp()) / x.exp()).abs());
        }
        assert!(worst < 5e-16, "worst relative error {worst:e}");
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(1e6), exp(EXP_LIMIT));
    }
}
