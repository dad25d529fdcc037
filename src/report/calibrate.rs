//! The `report.html` of a calibration: a reading a non-statistician follows (what the data
//! say about each parameter, which parameters trade off, which targets the model
//! reproduces), the tables behind it, and the plots.

use super::html::{Page, escape, table};
use super::write_page;
use crate::calibrate::smc::{Generation, Stop};
use crate::calibrate::{
    Bound, CalibrationPlan, Check, Convergence, ImpliedTruth, ParamSummary, Statistic, TRADE_OFF,
    UNINFORMED,
};
use crate::i18n::{self, Lang, calibrate as t};
use crate::output::{OutputDir, short};
use crate::plot::Figure;

/// What the report is made of.
pub struct CalibrationReport<'a> {
    pub plan: &'a CalibrationPlan,
    pub generations: &'a [Generation],
    pub stop: Stop,
    pub simulations: u64,
    pub summaries: &'a [ParamSummary],
    pub correlations: &'a [(usize, usize, f64)],
    pub checks: &'a [Check],
    pub convergence: Convergence,
    /// Per study target, what its fitted estimate implies about the true effect.
    pub implied: &'a [ImpliedTruth],
}

impl CalibrationReport<'_> {
    /// What should stop a reader from taking the results at face value: a run that has not
    /// converged, posteriors piled against a prior bound. Shown first in the report and
    /// printed as warnings.
    pub fn warnings(&self, lang: Lang) -> Vec<String> {
        let plan = self.plan;
        let mut out = Vec::new();
        let c = &self.convergence;
        if !c.converged() {
            out.push(t::not_converged(
                lang,
                c.epsilon,
                c.large_above,
                plan.targets.len(),
                c.stop.name(),
                self.generations.len(),
            ));
        }
        for (k, s) in self.summaries.iter().enumerate() {
            if let Some(bound) = s.against {
                let (low, high) = plan.free[k].prior.bounds();
                let name = i18n::param_short(plan.free[k].param, lang);
                let lower = bound == Bound::Lower;
                out.push(t::against_bound(
                    lang,
                    &name,
                    lower,
                    if lower { low } else { high },
                ));
            }
        }
        out
    }

    /// The generated reading, sentence by sentence.
    pub fn reading(&self, lang: Lang) -> Vec<String> {
        let plan = self.plan;
        let posterior = self.generations.last().expect("a posterior");
        let name = |k: usize| i18n::param_short(plan.free[k].param, lang);
        let mut out = vec![t::overview(
            lang,
            posterior.particles.len(),
            self.generations.len(),
            self.stop.name(),
            posterior.epsilon,
            self.simulations,
        )];
        for (k, s) in self.summaries.iter().enumerate() {
            out.push(t::parameter_reading(
                lang,
                &name(k),
                s.low,
                s.high,
                &plan.free[k].prior_label(),
                s.contraction,
                s.contraction >= UNINFORMED,
            ));
        }
        let strong: Vec<_> = self
            .correlations
            .iter()
            .filter(|(_, _, r)| r.abs() > TRADE_OFF)
            .collect();
        if strong.is_empty() && plan.free.len() > 1 {
            out.push(t::NO_TRADE_OFF.get(lang).to_string());
        }
        for &&(a, b, r) in &strong {
            out.push(t::trade_off(lang, &name(a), &name(b), r));
        }
        let covered = self.checks.iter().filter(|c| c.covered).count();
        if self.convergence.converged() {
            out.push(t::coverage(lang, covered, self.checks.len()));
        } else {
            // The widest predictive half-interval, in each target's own scale.
            let widest = plan
                .targets
                .iter()
                .zip(self.checks)
                .map(|(t, c)| (c.high - c.low) / 2.0 / t.observed.scale)
                .filter(|w| w.is_finite())
                .fold(0.0, f64::max);
            out.push(t::coverage_loose(lang, covered, self.checks.len(), widest));
        }
        for (target, c) in plan.targets.iter().zip(self.checks) {
            if !c.covered {
                out.push(t::miss(
                    lang,
                    &target.name,
                    target.observed.value,
                    c.mean,
                    c.low,
                    c.high,
                ));
            }
        }
        for i in self.implied {
            let target = &plan.targets[i.target];
            let Statistic::Experiment(j) = target.statistic else {
                continue;
            };
            let study = &plan.studies[j];
            out.push(t::implied_reading(
                lang,
                target.observed.value,
                i18n::did::estimator_name(study.estimator, lang),
                (i.policy.mean, i.policy.low, i.policy.high),
                (i.estimand.mean, i.estimand.low, i.estimand.high),
                (i.gap.mean, i.gap.low, i.gap.high),
            ));
        }
        out.push(t::CAUTION.get(lang).to_string());
        out
    }

    /// Writes `report.html` with the figures' inline SVGs.
    pub fn write(
        &self,
        out: &OutputDir,
        figures: &[(String, Figure)],
        svgs: &[String],
        lang: Lang,
    ) -> crate::error::Result<()> {
        let plan = self.plan;
        // A full-width colon in Chinese.
        let colon = if lang == Lang::Zh { "：" } else { ": " };
        let mut page = Page::new(lang, format!("{}{colon}{}", t::REPORT.get(lang), plan.name));
        if !plan.description.is_empty() {
            page.raw(&format!(
                "<p class=\"meta\">{}</p>",
                escape(&plan.description)
            ));
        }
        let warnings = self.warnings(lang);
        if !warnings.is_empty() {
            page.raw(&format!(
                "<div class=\"warnings\" style=\"border-left: 6px solid #D55E00; \
                 background: #fff3e8; padding: 4px 16px; margin-top: 1.5em\">\
                 <h2 style=\"border: none; margin-top: 0.5em\">⚠ {}</h2>",
                escape(t::WARNINGS.get(lang))
            ));
            page.reading(warnings);
            page.raw("</div>");
        }
        page.element("h2", i18n::READING.get(lang));
        page.reading(self.reading(lang));

        page.element("h2", t::PARAMETERS.get(lang));
        let mut rows = vec![vec![
            t::PARAMETER.get(lang).to_string(),
            t::PRIOR_COLUMN.get(lang).to_string(),
            t::MEAN.get(lang).to_string(),
            t::CI90.get(lang).to_string(),
            t::CONTRACTION.get(lang).to_string(),
        ]];
        for (f, s) in plan.free.iter().zip(self.summaries) {
            rows.push(vec![
                i18n::param_label(f.param, lang),
                f.prior_label(),
                short(s.mean),
                format!("{} – {}", short(s.low), short(s.high)),
                format!("{:.0}%", s.contraction * 100.0),
            ]);
        }
        page.raw(&table(&rows, true));
        if plan.free.len() > 1 {
            page.element("h3", t::CORRELATIONS.get(lang));
            let mut rows = vec![vec![
                t::PARAMETER.get(lang).to_string(),
                t::PARAMETER.get(lang).to_string(),
                "r".to_string(),
            ]];
            for &(a, b, r) in self.correlations {
                rows.push(vec![
                    plan.free[a].param.key().to_string(),
                    plan.free[b].param.key().to_string(),
                    format!("{r:.2}"),
                ]);
            }
            page.raw(&table(&rows, false));
        }

        page.element("h2", t::TARGETS.get(lang));
        let mut rows = vec![vec![
            t::TARGET.get(lang).to_string(),
            t::OBSERVED.get(lang).to_string(),
            t::PREDICTED.get(lang).to_string(),
            t::COVERED.get(lang).to_string(),
            t::SOURCE.get(lang).to_string(),
        ]];
        for (target, c) in plan.targets.iter().zip(self.checks) {
            let o = &target.observed;
            let scale = if target.scale_is_se { "se" } else { "±" };
            let side = match o.side {
                crate::calibrate::smc::Side::Equal => "",
                crate::calibrate::smc::Side::AtLeast => "≥ ",
                crate::calibrate::smc::Side::AtMost => "≤ ",
            };
            let what = match target.statistic {
                Statistic::Experiment(j) => {
                    format!("{}: {}", plan.studies[j].path, plan.studies[j].label())
                }
                _ => format!(
                    "{}, {}",
                    target.quantity.name(),
                    plan.variants[target.scenario].label()
                ),
            };
            rows.push(vec![
                format!("{} ({what})", target.name),
                format!("{side}{} ({scale} {})", short(o.value), short(o.scale)),
                format!("{} ({} – {})", short(c.mean), short(c.low), short(c.high)),
                if c.covered { t::PASS } else { t::FAIL }
                    .get(lang)
                    .to_string(),
                target.source.clone(),
            ]);
        }
        page.raw(&table(&rows, false));

        if !self.implied.is_empty() {
            page.element("h2", t::IMPLIED.get(lang));
            page.element("p", t::IMPLIED_NOTE.get(lang));
            let mut rows = vec![vec![
                t::TARGET.get(lang).to_string(),
                t::OBSERVED.get(lang).to_string(),
                t::SIMULATED_ESTIMATE.get(lang).to_string(),
                t::ESTIMAND.get(lang).to_string(),
                t::POLICY_EFFECT.get(lang).to_string(),
                t::GAP.get(lang).to_string(),
            ]];
            let spread = |s: crate::calibrate::Spread| {
                format!("{} ({} – {})", short(s.mean), short(s.low), short(s.high))
            };
            for i in self.implied {
                let target = &plan.targets[i.target];
                let Statistic::Experiment(j) = target.statistic else {
                    continue;
                };
                rows.push(vec![
                    format!("{} ({})", target.name, plan.studies[j].label()),
                    short(target.observed.value),
                    spread(i.estimate),
                    spread(i.estimand),
                    spread(i.policy),
                    spread(i.gap),
                ]);
            }
            page.raw(&table(&rows, false));
        }
        page.element("h2", i18n::PLOTS.get(lang));
        for ((_, figure), svg) in figures.iter().zip(svgs) {
            page.figure(svg, &figure.title);
        }
        page.element("h2", t::SETTINGS.get(lang));
        page.element("p", t::METHOD_NOTE.get(lang));
        let s = &plan.settings;
        page.raw(&format!(
            "<p class=\"meta\">{}</p>",
            escape(&format!(
                "{} · particles {} · quantile {} · min_acceptance {} · max_generations {} · seed {} · base {}",
                t::figure_note(lang, s.particles, plan.replicates(), plan.base.run.steps, plan.window),
                s.particles,
                s.quantile,
                s.min_acceptance,
                s.max_generations,
                s.seed,
                plan.base.name
            ))
        ));
        write_page(out, &page)
    }
}
