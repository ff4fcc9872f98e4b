-- panel.person_month: empty table with the panel's columns and types; filled block by block
-- (07_person_month_block.sql) in person order.
-- The code columns are ENUMs over their contract code lists: they read and compare as text
-- (state = 'EMPLOYED' works) but are stored, written and loaded (pandas/polars categoricals) as
-- small integers, which matters at 65M rows.
CREATE OR REPLACE TABLE panel.person_month (
    person_id VARCHAR,
    year_month INTEGER,
    month_index INTEGER,
    age INTEGER,
    gender INTEGER,
    immigrant_category ENUM('A', 'B', 'C', 'E', 'F', 'G'),
    nus_level ENUM('0', '1', '2', '3', '4', '5', '6', '7', '8', '9'),
    nav_status ENUM('ARBEIDSSOKER', 'NEDSATT_ARBEIDSEVNE'),
    innsatsgruppe ENUM(
        'STANDARD_INNSATS', 'SITUASJONSBESTEMT_INNSATS', 'SPESIELT_TILPASSET_INNSATS',
        'VARIG_TILPASSET_INNSATS'
    ),
    registered BOOLEAN,
    earnings_nok BIGINT,
    n_employers INTEGER,
    employed BOOLEAN,
    in_at BOOLEAN,
    in_wage_subsidy BOOLEAN,
    in_other_programme BOOLEAN,
    in_education BOOLEAN,
    apprentice BOOLEAN,
    aap BOOLEAN,
    dagpenger BOOLEAN,
    tiltakspenger BOOLEAN,
    uforetrygd BOOLEAN,
    sosialhjelp BOOLEAN,
    kvp BOOLEAN,
    any_benefit BOOLEAN,
    state ENUM(
        'IN_ARBEIDSTRENING', 'WAGE_SUBSIDY', 'OTHER_PROGRAMME', 'EMPLOYED', 'EDUCATION',
        'UFORETRYGD', 'AAP', 'JOBSEEKER', 'NONE'
    ),
    first_at_start_ym INTEGER,
    months_since_at_start INTEGER
);
