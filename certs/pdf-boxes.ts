// Where the renderer left room for what later steps stamp onto a signed
// document. The renderer (node/pdf-render.ts) reports these boxes; the signer
// (certs/) places the leader's image, the clerk's number and date, and the
// agency's seal in them, without re-rendering, so earlier signatures stay valid.
// Coordinates are PDF user space: points, origin at the page's bottom-left.

export interface Box {
  /** 0-based page index. */
  page: number;
  x: number;
  y: number;
  width: number;
  height: number;
  /** For a blank in a line of text: that line's font size, which the stamped text uses. */
  size?: number;
}

export interface RenderLayout {
  pageCount: number;
  /** The blank between the signer's title and name, where the leader's visible signature goes. */
  signature: Box;
  /** The blank after "Số:" and before "/<symbol>", where the clerk's number goes. For every blank, the text baseline is 1/5 of the height up from the bottom. */
  number: Box;
  /** The blanks in "…, ngày __ tháng __ năm ____" for day, month and year. */
  day: Box;
  month: Box;
  year: Box;
  /** Top right of page 1, for the agency signature without image on a separate-file attachment. */
  attachmentStamp: Box;
}
