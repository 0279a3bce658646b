import Domain
import Foundation

@testable import App

extension HomeController.HomeContext {
    static var mock: Self {
        Self(
            page: Mock.page("home.title"), displayName: "Personne Fictive", organisationName: "Organisme Fictif",
            organisationTypeKey: "organisation.type.ngo", provinces: ["province.QC"], hasProvinces: true,
            roles: [HomeController.RoleView(labelKey: "role.caseworker", capabilitiesKey: "role.caseworker.can")], previousSignIn: "1 mars 2026",
            failedSince: 2, twoFactorEnabled: false, seesCaseData: true, urgent: 3, grants: ["Accès fictif accordé"],
            taskGroups: [
                HomeController.TaskGroup(
                    titleKey: "home.tasks.overdue", late: true,
                    items: [
                        HomeController.TaskItem(
                            title: "Appeler l’avocate (fictive)", reference: "ORG-2026-0001", href: Mock.links.file, due: "2 mars 2026")
                    ])
            ], hasTasks: true,
            recent: [
                HomeController.RecentItem(
                    reference: "ORG-2026-0001", name: "Personne Fictive", href: Mock.links.file, statusKey: CaseStatus.active.labelKey,
                    visited: "2 mars 2026 à 13 h 05")
            ], referralsPending: 3)
    }
}

extension ErrorContext {
    static var mock: Self {
        Self(
            page: Mock.page("error.503.title"), status: 503, titleKey: "error.503.title", messageKey: "error.503.message", requestID: "req-fictif",
            resubmitAction: Mock.links.notes, resubmitFields: [ResubmitField(name: "body", value: "Texte fictif")], typedTexts: ["Texte fictif"])
    }
}

extension AuditController.IndexContext {
    static var mock: Self {
        Self(
            page: Mock.page("audit.title"),
            events: [
                AuditController.EventRow(
                    sequence: 1, at: "2 mars 2026", actor: "personne@fictif.example", actionKey: "audit.action.case_created", target: Mock.caseID,
                    outcome: "success", requestID: "req-fictif")
            ], users: Mock.options, actions: Mock.options, from: "2026-03-01", to: "2026-03-31", errors: Mock.errors("from", "to"),
            previousURL: "/audit?page=1", nextURL: "/audit?page=3", pageNumber: 2)
    }
}

extension DeadlinesController.BoardContext {
    static var mock: Self {
        Self(
            page: Mock.page("deadlines.title"), csrf: "jeton-fictif",
            sections: [
                DeadlinesController.SectionView(
                    title: "Section fictive", danger: true,
                    items: [
                        DeadlinesController.ItemView(
                            href: Mock.links.file, reference: "ORG-2026-0001", name: "Personne Fictive", text: "PTO-TV — 2026-03-10")
                    ],
                    more: "Et 3 autres")
            ], isEmpty: false, feedURL: "http://127.0.0.1:8080/calendar/u/jeton.ics", isSupervisor: true)
    }
}

extension FiguresController.FiguresContext {
    static var mock: Self {
        Self(
            page: Mock.page("figures.title"),
            rows: [
                FiguresController.RowView(
                    pathway: "PTR-VVT", province: "Québec", applications: 12, approvalRate: "75 %", medianProcessing: "4", p90Processing: "9",
                    medianValidity: "180", complete: "3", incomplete: "8")
            ], hasRows: true,
            bars: [
                FiguresController.Bar(
                    label: "PTR-VVT", y: 10, y2: 30, completeWidth: 40, incompleteWidth: 90, complete: "3", incomplete: "8", textY: 25)
            ], chartHeight: 80)
    }
}

extension PathwayTypesController.IndexContext {
    static var mock: Self {
        Self(
            page: Mock.page("pathways.title"),
            rows: [PathwayTypesController.Row(code: "VOWP", name: "PTO-TV", version: 2, items: 5, href: SiteURL.pathway(.value("VOWP")).path)])
    }
}

extension PathwayTypesController.EditContext {
    static var mock: Self {
        Self(
            page: Mock.page("pathways.edit"), csrf: "jeton-fictif", code: "VOWP", action: SiteURL.pathway(.value("VOWP")).path, version: 2,
            form: ["nameFR": "PTO-TV", "nameEN": "VOWP"], renewable: true,
            errors: Mock.errors("nameFR", "nameEN", "checklist", "typicalValidityDays", "minimumDays", "maximumDays", "minimumMonths", "form"))
    }
}

extension ApplicationsController.ShowContext {
    static var mock: Self {
        Self(
            page: Mock.page("application.title"), csrf: "jeton-fictif", caseID: Mock.caseID, id: "a", links: Mock.links,
            checklistAction: CaseLinks.item(Mock.caseID, .applicationChecklist, "a"),
            eventsAction: CaseLinks.item(Mock.caseID, .applicationEvents, "a"),
            reference: "ORG-2026-0001", pathway: "PTO-TV", stateKey: "application.state.submitted", version: 2,
            checklist: [
                ApplicationsController.ChecklistRow(
                    key: "letter", label: "Lettre fictive", required: true, done: false, documents: Mock.options, linkedDocument: "Lettre fictive.pdf"
                )
            ], missingRequired: ["Lettre fictive"], hasMissing: true, events: Mock.options, hasEvents: true, submittedOn: "2026-03-01",
            infoRequestedOn: "2026-03-03", decidedOn: "2026-03-05", validFrom: "2026-03-05", validTo: "2026-09-05", processingDays: 4,
            validityDays: 180, completeAtSubmission: true, renewable: false,
            errors: Mock.errors("checklist", "event", "on", "validFrom", "validTo", "form"), values: ["on": "2026-03-05"])
    }
}

extension TrendsController.TrendsContext {
    static var mock: Self {
        Self(
            page: Mock.page("evidence.title"), from: "2026-01", to: "2026-12", provinces: Mock.options, errors: Mock.errors("from", "to", "province"),
            hasTables: true, tables: .empty, contributors: "4 organisations ont contribué à ces chiffres",
            periodText: "Période : de 2026-01 à 2026-12",
            threshold: "5", showsOwn: true, microdata: "/network/microdata?from=2026-01&to=2026-12&province=AB",
            microdataRelease: "Publiées : 180 lignes, 37 valeurs supprimées.")
    }
}

extension TrendsController.TablesContext {
    static var mock: Self {
        let cells = [TrendsController.Cell(text: "12", suppressed: false), TrendsController.Cell(text: "x", suppressed: true)]
        let row = TrendsController.Row(label: "Alberta", cells: cells)
        return Self(
            page: Mock.page("evidence.title"),
            tables: [
                TrendsController.TableView(
                    id: "exploitation", title: "Type d'exploitation", definition: "Définition fictive.", mentions: true,
                    columns: ["Alberta", "Total"],
                    rows: [row], total: row, csv: "/network/trends/exploitation.csv?from=2026-01&to=2026-12",
                    bars: [
                        TrendsController.Bar(label: "Travail forcé", y: 24, textY: 18, width: 120, value: "12", suppressed: false),
                        TrendsController.Bar(label: "Servitude", y: 58, textY: 52, width: 0, value: "x", suppressed: true),
                    ], chartHeight: 98, suppressed: 1, suppressedText: "1", own: [row], ownTotal: row)
            ],
            indicators: [
                TrendsController.Indicator(province: "Alberta", pathway: "PST-VTP", approval: "80 %", complete: "4", incomplete: "x", validity: "180")
            ], hasIndicators: true, threshold: "5")
    }
}
