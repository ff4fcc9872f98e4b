-- Inner cells of the universe "exits from Arbeidstrening by NAV's definition (status etter tiltak)"
-- (marts.nav_exit_status): one row per calendar year of exit, status group at exit and status six
-- months after, with the number of exits (n). The mart's ALL rows are sums of these cells; the
-- complete grid (zeros included) is what a reader can know is there.
SELECT exit_year, status_group, status, n
FROM marts.nav_exit_status
WHERE exit_year <> 'ALL' AND status_group <> 'ALL'
ORDER BY ALL
