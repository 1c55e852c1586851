/**
 * Maritime Identification Digits (ITU-R M.585 / ITU MID table) → ISO 3166-1 alpha-2 flag. Data, as one compact
 * string: `MID:CC` pairs. Territories with their own MID get their own code (FO, GL, HK, ...).
 */
const MID_TABLE =
  '201:AL 202:AD 203:AT 204:PT 205:BE 206:BY 207:BG 208:VA 209:CY 210:CY 211:DE 212:CY 213:GE 214:MD 215:MT ' +
  '216:AM 218:DE 219:DK 220:DK 224:ES 225:ES 226:FR 227:FR 228:FR 229:MT 230:FI 231:FO 232:GB 233:GB 234:GB ' +
  '235:GB 236:GI 237:GR 238:HR 239:GR 240:GR 241:GR 242:MA 243:HU 244:NL 245:NL 246:NL 247:IT 248:MT 249:MT ' +
  '250:IE 251:IS 252:LI 253:LU 254:MC 255:PT 256:MT 257:NO 258:NO 259:NO 261:PL 262:ME 263:PT 264:RO 265:SE ' +
  '266:SE 267:SK 268:SM 269:CH 270:CZ 271:TR 272:UA 273:RU 274:MK 275:LV 276:EE 277:LT 278:SI 279:RS ' +
  '301:AI 303:US 304:AG 305:AG 306:CW 307:AW 308:BS 309:BS 310:BM 311:BS 312:BZ 314:BB 316:CA 319:KY 321:CR ' +
  '323:CU 325:DM 327:DO 329:GP 330:GD 331:GL 332:GT 334:HN 336:HT 338:US 339:JM 341:KN 343:LC 345:MX 347:MQ ' +
  '348:MS 350:NI 351:PA 352:PA 353:PA 354:PA 355:PA 356:PA 357:PA 358:PR 359:SV 361:PM 362:TT 364:TC 366:US ' +
  '367:US 368:US 369:US 370:PA 371:PA 372:PA 373:PA 374:PA 375:VC 376:VC 377:VC 378:VG 379:VI ' +
  '401:AF 403:SA 405:BD 408:BH 410:BT 412:CN 413:CN 414:CN 416:TW 417:LK 419:IN 422:IR 423:AZ 425:IQ 428:IL ' +
  '431:JP 432:JP 434:TM 436:KZ 437:UZ 438:JO 440:KR 441:KR 443:PS 445:KP 447:KW 450:LB 451:KG 453:MO 455:MV ' +
  '457:MN 459:NP 461:OM 463:PK 466:QA 468:SY 470:AE 471:AE 472:TJ 473:YE 475:YE 477:HK 478:BA ' +
  '501:TF 503:AU 506:MM 508:BN 510:FM 511:PW 512:NZ 514:KH 515:KH 516:CX 518:CK 520:FJ 523:CC 525:ID 529:KI ' +
  '531:LA 533:MY 536:MP 538:MH 540:NC 542:NU 544:NR 546:PF 548:PH 550:TL 553:PG 555:PN 557:SB 559:AS 561:WS ' +
  '563:SG 564:SG 565:SG 566:SG 567:TH 570:TO 572:TV 574:VN 576:VU 577:VU 578:WF ' +
  '601:ZA 603:AO 605:DZ 607:TF 608:SH 609:BI 610:BJ 611:BW 612:CF 613:CM 615:CG 616:KM 617:CV 618:TF 619:CI ' +
  '620:KM 621:DJ 622:EG 624:ET 625:ER 626:GA 627:GH 629:GM 630:GW 631:GQ 632:GN 633:BF 634:KE 635:TF 636:LR ' +
  '637:LR 638:SS 642:LY 644:LS 645:MU 647:MG 649:ML 650:MZ 654:MR 655:MW 656:NE 657:NG 659:NA 660:RE 661:RW ' +
  '662:SD 663:SN 664:SC 665:SH 666:SO 667:SL 668:ST 669:SZ 670:TD 671:TG 672:TN 674:TZ 675:UG 676:CD 677:TZ ' +
  '678:ZM 679:ZW 701:AR 710:BR 720:BO 725:CL 730:CO 735:EC 740:FK 745:GF 750:GY 755:PY 760:PE 765:SR 770:UY ' +
  '775:VE';

const MID_TO_FLAG: Map<number, string> = new Map(
  MID_TABLE.split(' ').map((p) => {
    const [mid, cc] = p.split(':');
    return [Number(mid), cc!] as const;
  }),
);

/**
 * The forms of a maritime identity (ITU-R M.585-9, Annexes 1 and 2), M standing for a MID digit, X for any digit:
 * - `ship`: ship station `MIDXXXXXX` (the MID's first digit is 2-7);
 * - `group`: group ship station call `0MIDXXXXX`;
 * - `coast`: coast station (and AIS base station or repeater) `00MIDXXXX`;
 * - `sar_aircraft`: aircraft in search and rescue `111MIDXXX`;
 * - `handheld`: handheld VHF with DSC and GNSS `8MIDXXXXX`;
 * - `aton`: AIS aid to navigation `99MIDXXXX`;
 * - `parent_craft`: craft associated with a parent ship `98MIDXXXX`;
 * - `sart`, `mob`, `epirb`: AIS-SART `970XXYYYY`, man overboard `972XXYYYY`, EPIRB-AIS `974XXYYYY` (no MID: XX is
 *   the manufacturer);
 * - `other`: anything else (not nine digits, a MID not starting with 2-7, or an unassigned prefix).
 */
export type MmsiForm =
  | 'ship'
  | 'group'
  | 'coast'
  | 'sar_aircraft'
  | 'handheld'
  | 'aton'
  | 'parent_craft'
  | 'sart'
  | 'mob'
  | 'epirb'
  | 'other';

export interface MmsiMid {
  form: MmsiForm;
  /** The Maritime Identification Digits (the administration, i.e. the flag), or null for forms without one. */
  mid: number | null;
}

const NO_MID_97: Record<string, MmsiForm> = { '970': 'sart', '972': 'mob', '974': 'epirb' };

/** The MID at `at` in the nine-digit string, when its first digit is 2-7 (the MID ranges ITU allocates). */
function midAt(s: string, at: number): number | null {
  const c = s.charCodeAt(at);
  return c >= 50 && c <= 55 ? Number(s.slice(at, at + 3)) : null;
}

const form = (f: MmsiForm, mid: number | null): MmsiMid =>
  mid === null ? { form: 'other', mid: null } : { form: f, mid };

/**
 * The one reading of an MMSI: its ITU-R M.585 form and the MID in it. Every MID question in Watchkeeper (flags,
 * DPRK checks, flag hopping) goes through here. A number outside 1..999,999,999 is `other`; MMSIs are read as nine
 * digits with leading zeros (group and coast stations start with 0).
 */
export function mmsiMid(mmsi: number): MmsiMid {
  if (!Number.isInteger(mmsi) || mmsi <= 0 || mmsi > 999_999_999) return { form: 'other', mid: null };
  const s = String(mmsi).padStart(9, '0');
  switch (s[0]) {
    case '0':
      return s[1] === '0' ? form('coast', midAt(s, 2)) : form('group', midAt(s, 1));
    case '1':
      return s.startsWith('111') ? form('sar_aircraft', midAt(s, 3)) : { form: 'other', mid: null };
    case '8':
      return form('handheld', midAt(s, 1));
    case '9': {
      const f = NO_MID_97[s.slice(0, 3)];
      if (f) return { form: f, mid: null };
      if (s[1] === '9') return form('aton', midAt(s, 2));
      if (s[1] === '8') return form('parent_craft', midAt(s, 2));
      return { form: 'other', mid: null };
    }
    default:
      return form('ship', midAt(s, 0));
  }
}

/** ISO 3166-1 alpha-2 flag for an MMSI's MID (any form that has one), or undefined when it has none or it is not allocated. */
export function flagOf(mmsi: number): string | undefined {
  const { mid } = mmsiMid(mmsi);
  return mid === null ? undefined : MID_TO_FLAG.get(mid);
}

/** The DPRK's MID. */
export const DPRK_MID = 445;

/** Number of allocated MIDs in the table (for tests and docs). */
export const MID_COUNT = MID_TO_FLAG.size;
