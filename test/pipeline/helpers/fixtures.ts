/** Real-format inputs for 2024-06-10..12 (column layouts as FINRA and Nasdaq publish them). */

export const SCREENER_2024_06_10 = JSON.stringify({
  data: {
    asOf: null,
    headers: { symbol: 'Symbol', name: 'Name', lastsale: 'Last Sale', volume: 'Volume', marketCap: 'Market Cap' },
    rows: [
      {
        symbol: 'AAPL',
        name: 'Apple Inc. Common Stock',
        lastsale: '$193.12',
        netchange: '-3.77',
        pctchange: '-1.915%',
        volume: '97262077',
        marketCap: '2961313536000.00',
        country: 'United States',
        ipoyear: '1980',
        industry: 'Computer Manufacturing',
        sector: 'Technology',
        url: '/market-activity/stocks/aapl',
      },
      {
        symbol: 'NVDA',
        name: 'NVIDIA Corporation Common Stock',
        lastsale: '$121.79',
        netchange: '1.91',
        pctchange: '1.593%',
        volume: '314162700',
        marketCap: '2995766370000.00',
        country: 'United States',
        ipoyear: '1999',
        industry: 'Semiconductors',
        sector: 'Technology',
        url: '/market-activity/stocks/nvda',
      },
      {
        symbol: 'BRK/B',
        name: 'Berkshire Hathaway Inc.',
        lastsale: '$405.29',
        netchange: '0.45',
        pctchange: '0.111%',
        volume: '3046721',
        marketCap: '874395310000.00',
        country: 'United States',
        ipoyear: '',
        industry: 'Property-Casualty Insurers',
        sector: 'Finance',
        url: '/market-activity/stocks/brk-b',
      },
      {
        symbol: 'ABR^D',
        name: 'Arbor Realty Trust 6.375% Series D Preferred',
        lastsale: '$17.05',
        netchange: '0.05',
        pctchange: '0.294%',
        volume: '11234',
        marketCap: '',
        country: 'United States',
        ipoyear: '2021',
        industry: 'Real Estate Investment Trusts',
        sector: '',
        url: '/market-activity/stocks/abr^d',
      },
      {
        symbol: 'ZZZ',
        name: 'Delisted Co.',
        lastsale: 'NA',
        netchange: 'NA',
        pctchange: 'NA',
        volume: '0',
        marketCap: '0.00',
        country: 'United States',
        ipoyear: '',
        industry: '',
        sector: '',
        url: '',
      },
    ],
  },
  message: null,
  status: { rCode: 200, bCodeMessage: null, developerMessage: null },
});

/** The same market one day later (prices moved). */
export const SCREENER_2024_06_11 = SCREENER_2024_06_10.replace('$193.12', '$207.15').replace('$121.79', '$120.91');

export const SHORT_VOLUME_2024_06_10 = [
  'Date|Symbol|ShortVolume|ShortExemptVolume|TotalVolume|Market',
  '20240610|AAPL|4196812|12512|9876543|B,Q,N',
  '20240610|BRK/B|512345.5|0|1234567.25|Q,N',
  '20240610|NVDA|-5|0|100|Q',
  '3',
  '',
].join('\r\n');

const SI_HEADER =
  'accountingYearMonthNumber|symbolCode|issueName|issuerServicesGroupExchangeCode|marketClassCode|currentShortPositionQuantity|previousShortPositionQuantity|stockSplitFlag|averageDailyVolumeQuantity|daysToCoverQuantity|revisionFlag|changePercent|changePreviousNumber|settlementDate';

export const SHORT_INTEREST_2024_05_31 = [
  SI_HEADER,
  '20240531|AAPL|Apple Inc. Common Stock|R|NMS|120000000|110000000||60000000|2.00||9.09|10000000|2024-05-31',
  '20240531|NVDA|NVIDIA Corporation Common Stock|R|NMS|28000000|26000000||40000000|1.00||7.69|2000000|2024-05-31',
  '20240531|BRK/B|Berkshire Hathaway Inc. Class B|A|NYSE|9000000|9500000||4000000|2.25||-5.26|-500000|2024-05-31',
  '',
].join('\n');

export const SPLITS_CSV = ['symbol,date,ratio', 'NVDA,2024-06-10,10', ''].join('\n');

export const HTML_ERROR_PAGE =
  '<!DOCTYPE html>\n<html><head><title>Access Denied</title></head><body><h1>Access Denied</h1><p>Reference #18.5f3e1002</p></body></html>\n';
