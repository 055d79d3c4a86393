//! The demo's activities: what Torino's working groups report of their work (seed 000):
//! Comunicazione's campaign #rispettonellosport (the spot at the Stadio Olimpico on 23
//! November 2019, then at Porta Susa), the lockdown videos of 26 May 2020, the webinars with
//! the Chamber of Commerce and the University; Formazione's modules for organizations, the
//! projects in upper secondary schools with CESEDI, the events for professional orders; and
//! the network's online conference of 22 June 2020. Audiences are invented and plausible.

use aggregates::activity::*;

use super::*;

/// Torino's network, its coordinator and the organizations its activities involve.
pub(super) struct Torino {
    pub network: NetworkId,
    pub coordinator: OrganizationId,
    pub comune: OrganizationId,
    pub parita: OrganizationId,
    pub ordine: OrganizationId,
    pub unito: OrganizationId,
    pub cav: OrganizationId,
    pub cuav: OrganizationId,
    pub chamber: OrganizationId,
}

struct Entry<'a> {
    group: Option<&'a str>,
    kind: ActivityKind,
    title: &'a str,
    description: &'a str,
    dates: (NaiveDate, Option<NaiveDate>),
    organizations: Vec<OrganizationId>,
    audience: &'a [(&'a str, u32)],
    output: Option<(&'a str, &'a str)>,
}

impl Demo {
    async fn activity(&mut self, t: &Torino, e: Entry<'_>) -> anyhow::Result<()> {
        self.group += 1;
        let id = ActivityId::derived(&format!("demo/activity/{}/{}", t.network, e.title));
        let working_group = e
            .group
            .map(|label| WorkingGroupId::derived(&format!("demo/group/{}/{label}", t.network)));
        let details = ActivityDetails {
            kind: e.kind,
            title: name(e.title),
            description: Some(text(e.description)),
            starts_on: e.dates.0,
            ends_on: e.dates.1,
            organizations: e.organizations.into_iter().collect(),
            audience: e
                .audience
                .iter()
                .map(|(group, count)| AudienceCount {
                    group: name(group),
                    count: *count,
                })
                .collect(),
            outputs: e
                .output
                .map(|(title, link)| -> anyhow::Result<_> {
                    Ok(ActivityOutput {
                        title: name(title),
                        link: Some(Link::parse(link)?),
                        document: None,
                    })
                })
                .transpose()?
                .into_iter()
                .collect(),
        };
        let on = details.starts_on;
        self.run::<Activity>(
            id,
            Some(t.coordinator),
            recorded(on),
            ActivityCommand::Record {
                id,
                network: t.network,
                working_group,
                by: t.coordinator,
                details,
            },
        )
        .await
    }
}

/// Records Torino's activities.
pub(super) async fn torino(d: &mut Demo, t: &Torino) -> anyhow::Result<()> {
    use ActivityKind as K;
    let site = "https://www.cittametropolitana.torino.it/";
    let entries = vec![
        Entry {
            group: Some("Comunicazione"),
            kind: K::Campaign,
            title: "#rispettonellosport #rispettonellavita: lo spot allo Stadio Olimpico",
            description: "Lo spot della campagna proiettato sui maxischermi dello Stadio Olimpico Grande Torino",
            dates: (day(2019, 11, 23), None),
            organizations: vec![t.parita, t.comune, t.coordinator],
            audience: &[("Spettatori allo stadio", 21_000)],
            output: Some(("Lo spot", site)),
        },
        Entry {
            group: Some("Comunicazione"),
            kind: K::Campaign,
            title: "#rispettonellosport: lo spot alla stazione di Porta Susa",
            description: "Lo spot della campagna trasmesso sugli schermi della stazione di Porta Susa",
            dates: (day(2019, 12, 2), Some(day(2020, 1, 31))),
            organizations: vec![t.parita, t.comune],
            audience: &[],
            output: None,
        },
        Entry {
            group: Some("Comunicazione"),
            kind: K::Publication,
            title: "I video del lockdown",
            description: "Video di sensibilizzazione diffusi durante il lockdown",
            dates: (day(2020, 5, 26), None),
            organizations: vec![t.parita, t.comune, t.cav],
            audience: &[("Visualizzazioni", 4_800)],
            output: Some(("I video", site)),
        },
        Entry {
            group: Some("Comunicazione"),
            kind: K::Webinar,
            title: "Webinar con la Camera di commercio",
            description: "Webinar per le imprese sulla violenza di genere nei luoghi di lavoro",
            dates: (day(2020, 10, 14), None),
            organizations: vec![t.parita, t.chamber],
            audience: &[("Imprese", 62), ("Professionisti", 35)],
            output: None,
        },
        Entry {
            group: Some("Comunicazione"),
            kind: K::Webinar,
            title: "Webinar con l'Università degli Studi di Torino",
            description: "Ciclo di webinar sul lavoro della Rete, deciso al convegno del 22 giugno 2020",
            dates: (day(2020, 11, 18), Some(day(2020, 12, 16))),
            organizations: vec![t.unito, t.parita],
            audience: &[("Studenti", 240), ("Operatori", 80)],
            output: None,
        },
        Entry {
            group: Some("Formazione"),
            kind: K::TrainingModule,
            title: "Moduli formativi per enti e organizzazioni",
            description: "Moduli sulla presa in carico integrata per gli operatori degli enti della Rete",
            dates: (day(2019, 3, 4), Some(day(2019, 6, 28))),
            organizations: vec![t.ordine, t.cav, t.cuav],
            audience: &[("Operatori", 120)],
            output: None,
        },
        Entry {
            group: Some("Formazione"),
            kind: K::SchoolProject,
            title: "Progetti nelle scuole secondarie di secondo grado con il CESEDI",
            description: "Percorsi sul rispetto nelle relazioni, con il Centro Servizi Didattici della Città Metropolitana",
            dates: (day(2019, 10, 1), Some(day(2020, 5, 29))),
            organizations: vec![t.ordine, t.coordinator, t.unito],
            audience: &[("Studenti", 1_150), ("Docenti", 64)],
            output: None,
        },
        Entry {
            group: Some("Formazione"),
            kind: K::Event,
            title: "Eventi per gli ordini professionali",
            description: "Incontri accreditati per psicologi, assistenti sociali e avvocati",
            dates: (day(2020, 2, 20), None),
            organizations: vec![t.ordine],
            audience: &[("Professionisti", 150)],
            output: None,
        },
        Entry {
            group: None,
            kind: K::Conference,
            title: "Un giorno perfetto: convegno online sul lavoro della Rete",
            description: "Il convegno online della Rete, con i gruppi di lavoro",
            dates: (day(2020, 6, 22), None),
            organizations: vec![t.coordinator, t.comune, t.cav, t.unito, t.cuav],
            audience: &[("Partecipanti", 310)],
            output: Some(("La registrazione", site)),
        },
    ];
    for entry in entries {
        d.activity(t, entry).await?;
    }
    Ok(())
}
