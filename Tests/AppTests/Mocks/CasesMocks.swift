import Domain
import Foundation

@testable import App

extension CasesController.IndexContext {
    static var mock: Self {
        let link = SiteURL.caseFile(.value(Mock.caseID)).path
        return Self(
            page: Mock.page("cases.title"),
            rows: .tableRows([
                [
                    SafeHTML.Cell(text: "ORG-2026-0001", href: link, label: "Référence"), SafeHTML.Cell(text: "Personne Fictive", href: link),
                    SafeHTML.Cell(text: "10 mars 2026 · En retard", label: "Prochaine échéance", danger: true),
                ]
            ]),
            q: "Fictive", scope: "mine", canSeeAll: true, statuses: Mock.options, provinces: Mock.options, workers: Mock.options,
            needs: Mock.options, taskFilters: Mock.options, sorts: Mock.options, previousURL: "/cases?page=1", nextURL: "/cases?page=3",
            pageNumber: 2, total: 60, totalLabel: "60", totalCapped: false, isSupervisor: true, sortedColumn: "opened",
            empty: CasesController.EmptyState(filtered: true, clearURL: SiteURL.cases.path, openURL: SiteURL.caseNew.path + "?preferredName=Fictive"))
    }
}

extension CasesController.NewContext {
    static var mock: Self {
        Self(
            page: Mock.page("cases.new.title"), csrf: "jeton-fictif", preferredName: "Personne Fictive", provinces: Mock.options,
            errors: Mock.errors("preferredName", "province"))
    }
}

extension CasePage.Context {
    static var mock: Self {
        let item = { (kind: SiteURL.CaseItem) in CaseLinks.item(Mock.caseID, kind, "00000000-0000-4000-8000-000000000002") }
        return Self(
            page: Mock.page("cases.show.title"), csrf: "jeton-fictif", id: Mock.caseID, links: Mock.links, reference: "ORG-2026-0001",
            preferredName: "Personne Fictive", statusKey: CaseStatus.closed.labelKey, status: "closed",
            closureReasonKey: ClosureReason.goalsMet.labelKey,
            openedAt: "1 mars 2026", openedBy: "Intervenante Fictive", version: 3,
            safeContact: CasePage.SafeContactView(
                channels: ["Téléphone"], safeTimes: "Matin (fictif)", messagesKey: "case.safe.messages.yes", codeWord: "Mot fictif",
                neverUse: "Courriel du travail (fictif)"),
            person: CasePage.PersonView(rows: [LabelledValue(labelKey: "case.person.languages", value: "Tagalog (fictif)")]),
            notes: [CasePage.NoteView(at: "2 mars 2026", author: "Intervenante Fictive", body: "Note fictive", isNew: true)],
            notesPager: CasePage.NotesPager(total: 45, first: 21, last: 40, newerURL: Mock.links.file, olderURL: Mock.links.file + "?notes=3"),
            workers: ["Intervenante Fictive"], colleagues: Mock.options, statuses: Mock.options, closureReasons: Mock.options,
            history: [CasePage.EventView(at: "2 mars 2026", who: "Intervenante Fictive", what: "Tâche ajoutée : Appeler (fictif)", isNew: true)],
            isSupervisor: true, canPurge: true,
            errors: Mock.errors(
                "body", "status", "closureReason", "workers", "kind", "givenOn", "method", "language", "partner", "title", "dueOn", "file", "pathway",
                "needs", "amount", "filedOn", "outcome", "version", "form"),
            values: ["body": "Texte fictif"],
            sections: CaseSectionsPanel(
                documents: [
                    .init(id: "d", name: "Lettre fictive.pdf", typeLabel: "PDF", size: "12 Ko", uploadedAt: "2 mars 2026", href: item(.document))
                ],
                documentMaxMB: 10, needs: .selectFields([]),
                setNeeds: [LabelledValue(labelKey: NeedKind.allCases[0].labelKey, value: "Non comblé")],
                tasks: [
                    .init(
                        id: "t", title: "Appeler l’avocate (fictive)", due: "2026-03-10", overdue: true, assignee: "Intervenante Fictive",
                        done: false,
                        doneAction: item(.taskDone))
                ],
                consents: [
                    .init(
                        id: "c", kindKey: ConsentKind.share.labelKey, partner: "Organisme Fictif", givenOn: "2026-03-01",
                        methodKey: ConsentMethod.verbal.labelKey,
                        language: "français", withdrawnAt: nil, withdrawAction: item(.consentWithdraw))
                ],
                consentCollect: true, consentStatistics: true,
                legalActions: [
                    .init(
                        kindKey: LegalActionKind.civilClaim.labelKey, statusKey: LegalActionStatus.filed.labelKey, filedOn: "2026-03-01",
                        amount: "100,00 $", outcome: "Fictif")
                ],
                experience: [LabelledValue(labelKey: "experience.scope", value: "Fictif")],
                redFlags: [
                    .init(
                        text: "« Ferme Imaginaire inc. » figure aussi dans des dossiers de 2 autres organismes.",
                        token: String(repeating: "a", count: 64),
                        canRequest: false, requested: true, contacts: ["Organisme Fictif (démo) — Robin Pretend (robin@exemple.example)"],
                        hasContacts: true, action: "/cases/00000000-0000-0000-0000-000000000000/red-flags")
                ], hasRedFlags: true, hasConsents: true, hasExperience: true,
                consentKinds: Mock.options, consentMethods: Mock.options, legalKinds: Mock.options, legalStatuses: Mock.options,
                assignees: Mock.options,
                nextTask: .init(
                    id: "t", title: "Appeler l’avocate (fictive)", due: "10 mars 2026", overdue: true, assignee: "Intervenante Fictive", done: false,
                    doneAction: item(.taskDone)),
                overdueTasks: 2, consentShare: true, sharePartners: "Organisme Fictif"),
            applications: [
                .init(
                    id: "a", pathway: "PTR-VVT (fictif)", stateKey: "application.state.approved", submittedOn: "2026-03-01", decidedOn: "2026-03-05",
                    validTo: "2026-09-05", processingDays: 4, validityDays: 180, daysToExpiry: 90, href: item(.application))
            ],
            referrals: ReferralsPanel(
                rows: [
                    .init(
                        href: SiteURL.referral(.value("00000000-0000-4000-8000-000000000009")).path, service: "Maison Fictive (fictif)",
                        receiver: "Organisme Fictif", state: "En attente", at: "2 mars 2026 à 13 h 05")
                ], receivedFrom: "Organisme Fictif d'origine", receivedURL: SiteURL.referral(.value("00000000-0000-4000-8000-000000000008")).path),
            pathways: Mock.options, applicationsNextExpiry: "5 sept. 2026", lastNoteAt: "2 mars 2026", lastVisit: "1 mars 2026 à 13 h 05",
            newCount: 2,
            filled: CasePage.Filled(
                person: true, applications: true, consent: true, experience: true, needs: true, tasks: true, legal: true, documents: true,
                referrals: true, notes: true),
            findService: SiteURL.directory.path + "?province=QC&language=tl&eligibility=no_status")
    }
}

extension CasesController.PersonContext {
    static var mock: Self {
        Self(
            page: Mock.page("cases.person.title"), csrf: "jeton-fictif", id: Mock.caseID, links: Mock.links, reference: "ORG-2026-0001",
            preferredName: "Personne Fictive", version: 2,
            person: PersonSection(legalName: "Nom Fictif", languages: "Tagalog", interpreterNeeded: true), ageBands: Mock.options,
            genders: Mock.options, indigenous: Mock.options, immigration: Mock.options, regions: Mock.options,
            errors: Mock.errors(
                "preferredName", "legalName", "dateOfBirth", "ageBand", "genderIdentity", "gender", "pronouns", "indigenousIdentity",
                "countryOfOrigin",
                "languages",
                "immigrationStatus", "region", "dependants", "accessibilityNeeds", "form"),
            changed: ["Langues"], hasChanged: true)
    }
}

extension CasesController.SafeContactContext {
    static var mock: Self {
        Self(
            page: Mock.page("cases.safe.title"), csrf: "jeton-fictif", id: Mock.caseID, links: Mock.links, reference: "ORG-2026-0001", version: 2,
            channels: Mock.options, safeTimes: "Matin", messages: Mock.options, codeWord: "Mot fictif", neverUse: "Courriel fictif",
            errors: Mock.errors("channels", "safeTimes", "messagesAllowed", "codeWord", "neverUse", "form"))
    }
}

extension CasesController.PurgeContext {
    static var mock: Self {
        Self(
            page: Mock.page("cases.purge.title"), csrf: "jeton-fictif", id: Mock.caseID, links: Mock.links, reference: "ORG-2026-0001", closed: true,
            errors: Mock.errors("confirm", "form"))
    }
}

extension CasesController.SettingsContext {
    static var mock: Self {
        Self(
            page: Mock.page("cases.settings.title"), csrf: "jeton-fictif", visibility: Mock.options, referenceCode: "FIC", saved: true,
            retentionYears: "7", hasRetention: true, due: ["ORG-2019-0001"], errors: Mock.errors("referenceCode", "retentionYears", "visibility"))
    }
}

extension CaseSectionsController.ExperienceContext {
    static var mock: Self {
        Self(
            page: Mock.page("experience.title"), csrf: "jeton-fictif", id: Mock.caseID, links: Mock.links, reference: "ORG-2026-0001", version: 2,
            statuses: Mock.options, exploitation: Mock.options, scopes: Mock.options, industries: Mock.options, controls: Mock.options,
            recruitment: Mock.options, relationships: Mock.options, licensed: Mock.options, fees: "1 000", currency: "CAD",
            details: ExperienceDetails(employers: "Employeur fictif", account: "Récit fictif"),
            errors: Mock.errors(
                "traffickingStatus", "fees", "currency", "employers", "recruiters", "recruitmentPlace", "recruitmentWhen", "exploitationPlace",
                "exploitationWhen", "account", "form"))
    }
}

extension CaseExportController.PrintContext {
    static var mock: Self {
        let item = CaseExportController.Item(key: "cases.reference", fr: "Référence", en: "Reference", value: "ORG-2026-0001")
        return Self(
            page: Mock.page("export.title"),
            export: CaseExportController.Export(
                reference: "ORG-2026-0001", exportedAt: "2026-03-02T10:00:00Z",
                sections: [CaseExportController.Section(key: "cases.show.title", fr: "Dossier", en: "Case", items: [item])]),
            id: Mock.caseID, links: Mock.links, headingFR: "Dossier fictif", headingEN: "Fictional case", exportedFR: "Exporté",
            exportedEN: "Exported", noneFR: "Aucun", noneEN: "None")
    }
}
