/**
 * Where a North American number is, by its area code and by the state or province Twilio names
 * (FromState): data for the client's local time, so the bot starts no text at night there.
 *
 * Every US and Canadian geographic area code in service or announced as an overlay by 2025 that
 * could be listed with confidence, by the zone most of its numbers are in. A code whose numbers
 * span two zones lists both (its main zone first): the bot keeps the quiet hours of both, and
 * shows PJ the main one. A code not listed (a newer overlay) falls back to FromState, then to the
 * advisor's TZ. Numbers move with their owners, so this is the number's home, not the person's.
 */

const EASTERN = 'America/New_York';
const CENTRAL = 'America/Chicago';
const MOUNTAIN = 'America/Denver';
const ARIZONA = 'America/Phoenix';
const PACIFIC = 'America/Los_Angeles';

/** Area codes by the one zone all their numbers are in. */
const SINGLE_ZONE: Readonly<Record<string, readonly number[]>> = {
  [EASTERN]: [
    // Connecticut, Delaware, DC, Georgia, Maine, Maryland, Massachusetts
    203, 475, 860, 959, 302, 202, 771, 229, 404, 470, 478, 678, 706, 762, 770, 912, 207, 227, 240, 301, 410, 443, 667,
    339, 351, 413, 508, 617, 774, 781, 857, 978,
    // Florida, except the panhandle (850, 448)
    239, 305, 321, 352, 386, 407, 561, 645, 656, 689, 727, 754, 772, 786, 813, 863, 904, 941, 954,
    // Kentucky (Louisville, Lexington, the east), New Hampshire, New Jersey
    502, 606, 859, 603, 201, 551, 609, 640, 732, 848, 856, 862, 908, 973,
    // New York, North Carolina
    212, 315, 332, 347, 363, 516, 518, 585, 607, 631, 646, 680, 716, 718, 838, 845, 914, 917, 929, 934, 252, 336, 704,
    743, 828, 910, 919, 980, 984,
    // Ohio, Pennsylvania, Rhode Island, South Carolina
    216, 220, 234, 283, 326, 330, 380, 419, 440, 513, 567, 614, 740, 937, 215, 223, 267, 272, 412, 445, 484, 570, 610,
    717, 724, 814, 878, 401, 803, 839, 843, 854, 864,
    // Tennessee (the east), Vermont, Virginia, West Virginia
    423, 865, 802, 276, 434, 540, 571, 703, 757, 804, 826, 948, 304, 681,
  ],
  'America/Detroit': [231, 248, 269, 313, 517, 586, 616, 679, 734, 810, 947, 989],
  'America/Indiana/Indianapolis': [260, 317, 463, 574, 765],
  [CENTRAL]: [
    // Alabama, Arkansas, Illinois, Iowa
    205, 251, 256, 334, 659, 938, 479, 501, 870, 217, 224, 309, 312, 331, 447, 464, 618, 630, 708, 730, 773, 779, 815,
    847, 872, 319, 515, 563, 641, 712,
    // Indiana's northwest (Gary), Kansas' east, Louisiana, Minnesota, Mississippi, Missouri
    219, 316, 913, 225, 318, 337, 504, 985, 218, 320, 507, 612, 651, 763, 952, 228, 601, 662, 769, 314, 417, 557, 573,
    636, 660, 816, 975,
    // Nebraska's east, Oklahoma, Tennessee (the middle and west), Wisconsin
    402, 531, 405, 539, 572, 580, 918, 615, 629, 731, 901, 931, 262, 274, 353, 414, 534, 608, 715, 920,
    // Texas, except El Paso (915)
    210, 214, 254, 281, 325, 346, 361, 409, 430, 432, 469, 512, 682, 713, 726, 737, 806, 817, 830, 832, 903, 936, 940,
    945, 956, 972, 979,
  ],
  [MOUNTAIN]: [303, 719, 720, 970, 983, 406, 505, 575, 385, 435, 801, 307, 915],
  [ARIZONA]: [480, 520, 602, 623, 928],
  [PACIFIC]: [
    // California
    209, 213, 279, 310, 323, 341, 350, 408, 415, 424, 442, 510, 530, 559, 562, 619, 626, 628, 650, 657, 661, 669, 707,
    714, 747, 760, 805, 818, 820, 831, 840, 858, 909, 916, 925, 949, 951,
    // Nevada, Oregon, Washington
    702, 725, 775, 458, 503, 541, 971, 206, 253, 360, 425, 509, 564,
  ],
  'America/Anchorage': [907],
  'Pacific/Honolulu': [808],
  'America/Puerto_Rico': [787, 939, 340],
  'Pacific/Guam': [671, 670],
  'Pacific/Pago_Pago': [684],
  // Canada
  'America/Vancouver': [236, 250, 604, 672, 778],
  'America/Edmonton': [368, 403, 587, 780, 825],
  'America/Regina': [306, 639],
  'America/Winnipeg': [204, 431],
  'America/Toronto': [
    // Ontario, except the northwest (807)
    226, 249, 289, 343, 365, 382, 416, 437, 519, 548, 613, 647, 683, 705, 742, 905,
    // Quebec
    263, 354, 367, 418, 438, 450, 468, 514, 579, 581, 819, 873,
  ],
  'America/Halifax': [782, 902],
  'America/Moncton': [506],
  'America/St_Johns': [709, 879],
};

/** Area codes whose numbers span zones: the main zone first. */
const SPLIT: Readonly<Record<number, readonly string[]>> = {
  // Florida's panhandle: Pensacola and Panama City on Central, Tallahassee on Eastern.
  850: [CENTRAL, EASTERN],
  448: [CENTRAL, EASTERN],
  // Indiana's southwest (Evansville) is on Central, the rest of 812 on Eastern.
  812: ['America/Indiana/Indianapolis', CENTRAL],
  930: ['America/Indiana/Indianapolis', CENTRAL],
  // Western Kentucky is on Central, a few counties of 270 on Eastern.
  270: [CENTRAL, EASTERN],
  364: [CENTRAL, EASTERN],
  // Michigan's Upper Peninsula: four counties on the Wisconsin line are on Central.
  906: ['America/Detroit', 'America/Menominee'],
  // Western Kansas, Nebraska and the Dakotas reach into Mountain time.
  620: [CENTRAL, MOUNTAIN],
  785: [CENTRAL, MOUNTAIN],
  308: [CENTRAL, MOUNTAIN],
  605: [CENTRAL, MOUNTAIN],
  701: [CENTRAL, MOUNTAIN],
  // Idaho: Boise and the south on Mountain, the panhandle on Pacific.
  208: ['America/Boise', PACIFIC],
  986: ['America/Boise', PACIFIC],
  // Northwestern Ontario: Thunder Bay on Eastern, Kenora on Central.
  807: ['America/Toronto', 'America/Winnipeg'],
  // Yukon, the Northwest Territories and Nunavut.
  867: ['America/Edmonton', 'America/Whitehorse', 'America/Iqaluit'],
};

/** The zones of each US state and Canadian province or territory (FromState), the main one first. */
export const REGION_ZONES: Readonly<Record<string, readonly string[]>> = {
  AL: [CENTRAL],
  AK: ['America/Anchorage'],
  AZ: [ARIZONA],
  AR: [CENTRAL],
  CA: [PACIFIC],
  CO: [MOUNTAIN],
  CT: [EASTERN],
  DE: [EASTERN],
  DC: [EASTERN],
  FL: [EASTERN, CENTRAL],
  GA: [EASTERN],
  HI: ['Pacific/Honolulu'],
  ID: ['America/Boise', PACIFIC],
  IL: [CENTRAL],
  IN: ['America/Indiana/Indianapolis', CENTRAL],
  IA: [CENTRAL],
  KS: [CENTRAL, MOUNTAIN],
  KY: [EASTERN, CENTRAL],
  LA: [CENTRAL],
  ME: [EASTERN],
  MD: [EASTERN],
  MA: [EASTERN],
  MI: ['America/Detroit', 'America/Menominee'],
  MN: [CENTRAL],
  MS: [CENTRAL],
  MO: [CENTRAL],
  MT: [MOUNTAIN],
  NE: [CENTRAL, MOUNTAIN],
  NV: [PACIFIC],
  NH: [EASTERN],
  NJ: [EASTERN],
  NM: [MOUNTAIN],
  NY: [EASTERN],
  NC: [EASTERN],
  ND: [CENTRAL, MOUNTAIN],
  OH: [EASTERN],
  OK: [CENTRAL],
  OR: [PACIFIC, MOUNTAIN],
  PA: [EASTERN],
  RI: [EASTERN],
  SC: [EASTERN],
  SD: [CENTRAL, MOUNTAIN],
  TN: [CENTRAL, EASTERN],
  TX: [CENTRAL, MOUNTAIN],
  UT: [MOUNTAIN],
  VT: [EASTERN],
  VA: [EASTERN],
  WA: [PACIFIC],
  WV: [EASTERN],
  WI: [CENTRAL],
  WY: [MOUNTAIN],
  PR: ['America/Puerto_Rico'],
  VI: ['America/Puerto_Rico'],
  GU: ['Pacific/Guam'],
  MP: ['Pacific/Guam'],
  AS: ['Pacific/Pago_Pago'],
  BC: ['America/Vancouver', 'America/Edmonton'],
  AB: ['America/Edmonton'],
  SK: ['America/Regina'],
  MB: ['America/Winnipeg'],
  ON: ['America/Toronto', 'America/Winnipeg'],
  QC: ['America/Toronto'],
  NB: ['America/Moncton'],
  NS: ['America/Halifax'],
  PE: ['America/Halifax'],
  NL: ['America/St_Johns', 'America/Halifax'],
  YT: ['America/Whitehorse'],
  NT: ['America/Edmonton'],
  NU: ['America/Iqaluit', 'America/Winnipeg', 'America/Edmonton'],
};

/** Every listed area code's zones, main first. */
export const AREA_CODE_ZONES: ReadonlyMap<number, readonly string[]> = new Map([
  ...Object.entries(SINGLE_ZONE).flatMap(([zone, codes]) => codes.map((code) => [code, [zone]] as const)),
  ...Object.entries(SPLIT).map(([code, zones]) => [Number(code), zones] as const),
]);

/** The zones of a North American (+1) number's area code, or null when it is not one or not listed. */
export function zonesOfNumber(e164: string): readonly string[] | null {
  const match = /^\+1([2-9]\d{2})[2-9]\d{6}$/.exec(e164);
  return match ? (AREA_CODE_ZONES.get(Number(match[1])) ?? null) : null;
}
