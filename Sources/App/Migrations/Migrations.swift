import Crypto
import Fluent

/// Every migration, in the order it first ran, in numbered blocks (one folder each). Append only:
/// a migration's name is stored once it ran, and its code stays as it was (frozen SQL and string
/// column names; the live models may change).
enum PasserelleMigrations {
    static func register(on migrations: Migrations, masterKey: SymmetricKey) {
        // 001 — the foundation: organisations, accounts, sessions, sign-in throttling, one-time links, the audit chain.
        migrations.add([
            CreateOrganisations(), CreateUsers(), CreateBrowserSessions(), CreateSignInFailures(), CreateSetPasswordTokens(),
            CreateAuditEvents(),
        ])
        // 002 — case files: the key check, case settings, cases with their keys and name index.
        migrations.add([CreateKeyChecks(), CreateCaseSettings(), CreateCases()])
        // 003 — the case sections: consents, needs, tasks, experience, legal actions.
        migrations.add(CreateCaseSections())
        // 004 — retention per organisation.
        migrations.add(AddRetentionYears())
        // 005 — documents.
        migrations.add(CreateCaseDocuments())
        // 006 — the audit log read by target (case history).
        migrations.add(IndexAuditTargets())
        // 007 — protection pathways and their applications.
        migrations.add(CreatePathways())
        // 008 — the daily digest setting; supporting documents on checklists.
        migrations.add([AddDigestSetting(), AddChecklistDocuments()])
        // 009 — columns copied where the hot queries read them (scale targets).
        migrations.add(DenormaliseForScale())
        // 010 — case history without page views.
        migrations.add(IndexCaseHistory())
        // 011 — per-person assignment counts kept by triggers.
        migrations.add(CountAssignments())
        // 012 — review fixes: the name index rebuilt with the new folding (needs the master key);
        // recent grants of case access read through a partial index.
        migrations.add([RebuildNameIndex(master: masterKey), IndexAccessGrants()])
        // 013 — a caseworker's day: open tasks read by their assignee for the home page.
        migrations.add(IndexTaskAssignees())
        // 014 — triage: last activity and next due date kept in the case row; visits to cases.
        migrations.add(TrackCaseActivity())
        // 015 — the service directory (HSDS shape) with its full-text index and change history.
        migrations.add(CreateDirectory())
        // 016 — referrals from a case to a service: the sealed snapshot under a key of its own, the dated history.
        migrations.add(CreateReferrals())
        // 017 — directory files kept between an import's dry run and the import itself.
        migrations.add(CreateDirectoryImports())
        // 018 — SQLite's directory search keyed by an integer column: searches matching most listings were slow.
        migrations.add(KeyDirectorySearch())
        // 019 — the provinces each service serves, one row each, for an indexed search by province.
        migrations.add(CreateServiceAreas())
        // 020 — the network's figures kept on write, and exports kept as releases.
        migrations.add(CreateEvidence())
        // 021 — a stamp the kept counts move, so the trends page reads them again only when they change.
        migrations.add(CreateEvidenceStamp())
        // 022 — red flags across organisations: keyed hashes of the names in cases, and requests to be put in touch.
        migrations.add(CreateRedFlags())
        // 023 — the directory's filters answered by its search index; the inbox's answered referrals read along an index.
        migrations.add(FacetDirectorySearch())
        // 024 — the inbox's sent and answered lists read from their indexes, only the page's rows from the table.
        migrations.add(CoverReferralLists())
        // 025 — the directory's results sorted from an index, only the page's rows read from the table.
        migrations.add(CoverDirectorySort())
        // 026 — the directory's first page (no filter) read in name order from an index.
        migrations.add(IndexDirectoryNames())
    }
}
