-- start_here.guide: the views of this schema and the question each answers (their comments).
CREATE OR REPLACE VIEW start_here.guide AS
SELECT view_name, comment AS answers
FROM duckdb_views()
WHERE database_name = current_database() AND schema_name = 'start_here' AND view_name <> 'guide'
ORDER BY view_name;

COMMENT ON VIEW start_here.guide IS
'Start here: the views for analysts and the question each answers (FROM start_here.guide). Each view reads the marts, gives one unit per column, and is described column by column (arbeidstrening describe start_here.<view>).';
COMMENT ON COLUMN start_here.guide.view_name IS
'the view (query it as start_here.<view_name>)';
COMMENT ON COLUMN start_here.guide.answers IS
'the question it answers and how (its comment)';
