import PostgresNIO

extension ExportFilter {
    /// The selecting query, every value bound.
    func query() throws -> PostgresQuery {
        var binds = PostgresBindings()
        var conditions: [String] = []
        func bind(_ value: some PostgresThrowingDynamicTypeEncodable) throws -> String {
            try binds.append(value)
            return "$\(binds.count)"
        }
        if let from = fromSeq { conditions.append("seq >= \(try bind(from))") }
        if let to = toSeq { conditions.append("seq <= \(try bind(to))") }
        if let since { conditions.append("occurred_at >= \(try bind(since))") }
        if let until { conditions.append("occurred_at < \(try bind(until))") }
        if !types.isEmpty { conditions.append("type = ANY(\(try bind(types)))") }
        if let subject {
            let p = try bind(subject)
            conditions.append(
                "(data->>'sub' = \(p) OR stream_id IN (\(SubjectHistory.streams(ofSubject: p))))"
            )
        }
        if let client {
            let p = try bind(client)
            conditions.append(
                """
                (data->>'client_id' = \(p) OR metadata->>'client_id' = \(p) OR metadata->>'actor' = 'client:' || \(p)
                 OR stream_id IN (SELECT stream_id FROM events WHERE type = 'grant.started' AND data->>'client_id' = \(p)
                                  UNION ALL
                                  SELECT stream_id FROM events WHERE type = 'grant.client_credentials' AND data->>'client_id' = \(p)))
                """
            )
        }
        let sql = """
            SELECT \(StoredChainRow.selectList)
            FROM events\(conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")) ORDER BY seq
            """
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }
}
