import{a}from"./chunk-4O42CW2P.js";import"./chunk-ECDRDI7B.js";import"./chunk-J3CPVPAR.js";import"./chunk-5TATHWSF.js";import"./chunk-W2BOAQKP.js";export{a as validateConfig};
