"""PostgreSQL (asyncpg + pgvector) persistence, embedded PostgreSQL, and artifact stores."""
