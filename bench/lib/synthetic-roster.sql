-- 60 languages, 10,000 interpreters (a third with a second language), all rosters shared both ways. Spanish and English
-- come with the language catalogue, loaded after this (matching-sql.bench.ts), which then gives everyone both.
INSERT INTO languages (iso6393, name, search_text, countries)
SELECT 'l' || chr(97 + g / 26) || chr(97 + g % 26), 'Lang ' || g, 'lang ' || g,
  ARRAY[(ARRAY['BZ','CA','CR','DO','SV','GT','HN','MX','NI','PA','US'])[1 + g % 11]]::varchar[]
FROM generate_series(0, 59) g;
INSERT INTO language_links (from_language_id, to_language_id, source, created_by)
SELECT a.id, b.id, 'bench', gen_random_uuid() FROM
  (SELECT id, row_number() OVER (ORDER BY iso6393) n FROM languages) a JOIN (SELECT id, row_number() OVER (ORDER BY iso6393) n FROM languages) b ON b.n = a.n + 1 WHERE a.n % 10 = 1;
CREATE TEMP TABLE langs AS SELECT id, row_number() OVER (ORDER BY iso6393) - 1 AS n, countries FROM languages;
INSERT INTO interpreters (country, external_id, first_name, email, gender, status, specialties, certification_body)
SELECT CASE WHEN random() < 0.8 THEN l.countries[1] ELSE (ARRAY['BZ','CA','CR','DO','SV','GT','HN','MX','NI','PA','US'])[1 + floor(random()*11)::int] END,
  'B' || lpad(i::text, 5, '0'), 'Ana', 'b' || lpad(i::text, 5, '0') || '@bench.puente.example',
  CASE WHEN random() < 0.7 THEN 'female' WHEN random() < 0.9 THEN 'male' END, 'active',
  ARRAY(SELECT s FROM unnest(ARRAY['legal_civil','legal_labour','legal_criminal','violence','trafficking','children','asylum','health']) s WHERE random() < 0.45)::varchar[],
  'Bench'
FROM generate_series(0, 9999) i JOIN langs l ON l.n = i % 60;
INSERT INTO interpreter_languages (interpreter_id, language_id, level)
SELECT i.id, l.id, 3 + floor(random()*3)::int FROM interpreters i JOIN langs l ON l.n = substr(i.external_id, 2)::int % 60;
INSERT INTO interpreter_languages (interpreter_id, language_id, level)
SELECT i.id, l.id, 2 + floor(random()*4)::int FROM interpreters i JOIN langs l ON l.n = (substr(i.external_id, 2)::int * 7 + 13) % 60
WHERE random() < 0.33 ON CONFLICT DO NOTHING;
INSERT INTO roster_sharing (owner_country, borrower_country)
SELECT a, b FROM unnest(ARRAY['BZ','CA','CR','DO','SV','GT','HN','MX','NI','PA','US']) a, unnest(ARRAY['BZ','CA','CR','DO','SV','GT','HN','MX','NI','PA','US']) b WHERE a <> b;
ANALYZE;
