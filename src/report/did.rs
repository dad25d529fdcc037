//! The `report.html` of `cadre-sim did`: the design (places per cohort, periods, who can
//! serve as a comparison), every estimate with its interval, the event-study and Bacon plots,
//! the pre-trend test, and plain sentences on what each estimator assumes. Consumes the
//! estimates; never estimates.

use super::html::{Page, escape, table};
use super::write_page;
use crate::did::bacon::{Comparison, Decomposition};
use crate::did::pretrend::PreTrend;
use crate::did::{Estimate, Estimator, Options, Panel, Target};
use crate::i18n::{self, Lang, did as text};
use crate::output::{OutputDir, short};
use crate::plot::Figure;

/// What the report is made of.
pub struct DidReport<'a> {
    /// The panel file as the user named it.
    pub file: &'a str,
    pub outcome: &'a str,
    pub panel: &'a Panel,
    pub opts: &'a Options,
    pub estimates: &'a [Estimate],
    pub pretrend: &'a PreTrend,
    /// None where TWFE does not run (covariates, an unbalanced panel): nothing to decompose.
    pub bacon: Option<&'a Decomposition>,
}

impl DidReport<'_> {
    /// The generated reading: each estimator's overall effect, the pre-trend test, and what
    /// static TWFE rests on.
    pub fn reading(&self, lang: Lang) -> Vec<String> {
        let mut out: Vec<String> = self
            .estimates
            .iter()
            .filter(|e| e.target == Target::Overall)
            .map(|e| {
                text::overall_sentence(
                    lang,
                    text::estimator_name(e.estimator, lang),
                    &short(e.value),
                    (&short(e.ci.0), &short(e.ci.1)),
                )
            })
            .collect();
        out.push(text::pretrend_sentence(
            lang,
            self.pretrend,
            self.opts.level,
            self.panel.n_places(),
        ));
        if let Some(bacon) = self.bacon {
            let (weight, mean) = bacon.by_comparison(Comparison::LaterVsEarlier);
            out.push(text::bacon_sentence(lang, bacon.twfe, weight, mean));
        }
        out
    }

    /// The design table: per cohort its places and periods before and from adoption, then
    /// the never-treated places.
    fn design_table(&self, lang: Lang) -> String {
        let times = self.panel.times();
        let (first, last) = (times[0], times[times.len() - 1]);
        let mut rows = vec![vec![
            text::COHORT.get(lang).to_string(),
            text::PLACES.get(lang).to_string(),
            text::PERIODS_BEFORE.get(lang).to_string(),
            text::PERIODS_AFTER.get(lang).to_string(),
        ]];
        for (g, n) in self.panel.cohort_sizes() {
            rows.push(vec![
                g.to_string(),
                n.to_string(),
                (g - first).to_string(),
                (last - g + 1).to_string(),
            ]);
        }
        let never = self.panel.cohorts().iter().filter(|c| c.is_none()).count();
        rows.push(vec![
            text::NEVER_TREATED.get(lang).to_string(),
            never.to_string(),
            times.len().to_string(),
            "0".into(),
        ]);
        table(&rows, true)
    }

    /// One row per estimate: estimator, target, estimate, SE, interval.
    fn estimate_rows<'e>(
        &self,
        estimates: impl Iterator<Item = &'e Estimate>,
        lang: Lang,
    ) -> String {
        let mut rows = vec![vec![
            text::ESTIMATOR.get(lang).to_string(),
            text::TARGET.get(lang).to_string(),
            text::ESTIMATE.get(lang).to_string(),
            text::SE.get(lang).to_string(),
            text::INTERVAL.get(lang).to_string(),
        ]];
        for e in estimates {
            rows.push(vec![
                text::estimator_name(e.estimator, lang).to_string(),
                text::target_name(e.target, lang),
                short(e.value),
                short(e.se),
                format!("[{}, {}]", short(e.ci.0), short(e.ci.1)),
            ]);
        }
        table(&rows, false)
    }

    /// Writes `report.html` with the figures' inline SVGs (the event study, then Bacon).
    pub fn write(
        &self,
        out: &OutputDir,
        figures: &[(String, Figure)],
        svgs: &[String],
        lang: Lang,
    ) -> crate::error::Result<()> {
        let colon = if lang == Lang::Zh { "：" } else { ": " };
        let mut page = Page::new(
            lang,
            format!("{}{colon}{}", text::REPORT_TITLE.get(lang), self.file),
        );
        let times = self.panel.times();
        page.raw(&format!(
            "<p class=\"meta\">{}</p>",
            escape(&text::design_line(
                lang,
                self.file,
                self.outcome,
                self.panel.n_places(),
                (times[0], times[times.len() - 1]),
                text::control_words(self.opts.control, lang),
                self.opts.level,
                self.opts.bootstrap,
            ))
        ));
        page.element("h2", i18n::READING.get(lang));
        page.reading(self.reading(lang));

        page.element("h2", text::DESIGN.get(lang));
        page.raw(&self.design_table(lang));
        let never = self.panel.cohorts().iter().filter(|c| c.is_none()).count();
        let sizes = self.panel.cohort_sizes();
        page.element(
            "p",
            &text::controls_sentence(lang, never, sizes.len(), sizes.last().map(|c| c.0)),
        );

        page.element("h2", text::ESTIMATES.get(lang));
        let headline = |e: &&Estimate| {
            matches!(
                e.target,
                Target::Overall
                    | Target::OverallDynamic
                    | Target::OverallGroup
                    | Target::OverallCalendar
            )
        };
        page.raw(&self.estimate_rows(self.estimates.iter().filter(headline), lang));
        let plot = |stem: &str| {
            figures
                .iter()
                .zip(svgs)
                .find(|((s, _), _)| s == stem)
                .map(|((_, f), svg)| (f, svg))
        };
        if let Some((figure, svg)) = plot("event_study") {
            page.figure(svg, &figure.caption.join(" "));
        }
        for estimator in Estimator::ALL {
            let rows: Vec<&Estimate> = self
                .estimates
                .iter()
                .filter(|e| e.estimator == estimator && !headline(e))
                .collect();
            if rows.is_empty() {
                continue;
            }
            page.raw(&format!(
                "<details><summary>{} — {} ({})</summary>\n{}\n</details>",
                escape(text::estimator_name(estimator, lang)),
                escape(text::BY_EVENT_TIME.get(lang)),
                rows.len(),
                self.estimate_rows(rows.into_iter(), lang)
            ));
        }

        page.element("h2", text::PRETREND.get(lang));
        page.element(
            "p",
            &text::pretrend_sentence(lang, self.pretrend, self.opts.level, self.panel.n_places()),
        );
        let opt = |x: Option<f64>| x.map_or("—".to_string(), |x| format!("{x:.4}"));
        page.raw(&table(
            &[
                vec![
                    text::STATISTIC.get(lang).to_string(),
                    text::DEGREES.get(lang).to_string(),
                    text::P_VALUE.get(lang).to_string(),
                ],
                vec![
                    opt(self.pretrend.statistic),
                    self.pretrend.cells.to_string(),
                    opt(self.pretrend.p_value),
                ],
            ],
            true,
        ));

        if let Some(bacon) = self.bacon {
            page.element("h2", text::BACON.get(lang));
            let (weight, mean) = bacon.by_comparison(Comparison::LaterVsEarlier);
            page.element("p", &text::bacon_sentence(lang, bacon.twfe, weight, mean));
            if let Some((figure, svg)) = plot("bacon") {
                page.figure(svg, &figure.caption.join(" "));
            }
            let mut rows = vec![vec![
                text::COMPARISON.get(lang).to_string(),
                text::TREATED_GROUP.get(lang).to_string(),
                text::CONTROL_GROUP.get(lang).to_string(),
                text::ESTIMATE.get(lang).to_string(),
                text::WEIGHT.get(lang).to_string(),
            ]];
            for p in &bacon.parts {
                rows.push(vec![
                    text::comparison_name(p.comparison, lang).to_string(),
                    p.treated.to_string(),
                    p.control
                        .map_or(text::NEVER_TREATED.get(lang).to_string(), |c| c.to_string()),
                    short(p.estimate),
                    format!("{:.4}", p.weight),
                ]);
            }
            page.raw(&format!(
                "<details><summary>{} ({})</summary>\n{}\n</details>",
                escape(text::COMPARISON.get(lang)),
                bacon.parts.len(),
                table(&rows, false)
            ));
        }

        page.element("h2", text::ASSUMPTIONS.get(lang));
        page.reading(Estimator::ALL.iter().map(|&e| text::assumption(e, lang)));
        write_page(out, &page)
    }
}
