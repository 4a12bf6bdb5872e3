-- routing 1.9 -> 1.10
\echo Use "ALTER EXTENSION routing UPDATE TO '1.10'" to load this file. \quit
