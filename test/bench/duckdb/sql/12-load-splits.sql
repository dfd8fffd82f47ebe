-- splits.csv: symbol,date,ratio (new shares per old share), header line.
INSERT INTO split_rows
SELECT symbol, date, ratio
FROM read_csv({{file}}, header = true, all_varchar = true, columns = {'symbol': 'VARCHAR', 'date': 'VARCHAR', 'ratio': 'VARCHAR'});
